import Connectors
import Engine
import Foundation
import Pipeline
import Testing
import TributaryCore
import TributaryTesting

/// NDJSON and JSON files as events: each line the record a pushed event would be, bad lines
/// dead-lettered with their line, batches resumable, memory bounded per line.
@Suite struct EventFileImportTests {
    func directory() throws -> String {
        let path = NSTemporaryDirectory() + "tributary-events-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    func options(batchSize: Int = 10_000) -> CSVImport.Options {
        var options = CSVImport.Options(source: "feed")
        options.batchSize = batchSize
        return options
    }

    static let good1 = #"{"kind":"trade","symbol":"BTC-USD","trade_id":"1","time":"2026-12-01T00:00:00Z","price":"100.5","size":"1"}"#
    static let good2 = #"{"kind":"trade","symbol":"BTC-USD","trade_id":"2","time":"2026-12-01T00:00:01Z","price":"101","size":"2"}"#

    @Test func linesBecomeRecordsAndBadLinesDeadLetters() async throws {
        let root = try directory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let text = [
            Self.good1, "", "   ", "{not json", #"{"kind":"trade","symbol":"BTC-USD","trade_id":"3","time":"2026-12-01T00:00:00Z","price":"1","size":"-1"}"#,
            #"{"kind":"trade","kind":"quote"}"#, "[1,2]", Self.good2 + "\r",
        ].joined(separator: "\n")
        try text.write(toFile: root + "/e.ndjson", atomically: true, encoding: .utf8)
        let store = InMemoryStore()
        let report = try await EventFileImport(store: store, options: options()).run(path: root + "/e.ndjson")
        #expect(report.rows == 6)
        #expect(report.stored == 2)
        #expect(report.badRows == 4)
        let letters = store.deadLetters(limit: 10, source: "feed", pending: true).sorted { $0.reason < $1.reason }
        #expect(letters.count == 4)
        #expect(letters.contains { $0.reason.contains("line 4: invalid JSON at byte 1") })
        #expect(letters.contains { $0.reason.contains("line 5:") && $0.reason.contains("size") })
        #expect(letters.contains { $0.reason.contains("line 6: invalid JSON") && $0.reason.contains("duplicate") })
        #expect(letters.contains { $0.reason.contains("line 7:") && $0.reason.contains("must be a JSON object") })
        let stored = try #require(store.storedRecord(source: "feed", kind: .trade, symbol: "BTC-USD", naturalKey: "2"))
        #expect(stored.envelope.provenance.transformations == ["import:ndjson", "line:8"])
        #expect(stored.envelope.provenance.parentID == report.sha256)

        // The same event pushed is the same record (only the endpoint says which path it took).
        let pushed = PushGateway.envelopes(
            of: [try JSONParser.parse(Array(Self.good2.utf8))], source: "feed", rules: nil, format: .ndjson, requestID: "r", receivedAt: .now())
        var viaPush = try #require(pushed.envelopes.first?.record)
        #expect(viaPush.endpoint == "push" && stored.envelope.record.endpoint == "import")
        viaPush.endpoint = "import"
        #expect(viaPush == stored.envelope.record)

        let again = try await EventFileImport(store: store, options: options()).run(path: root + "/e.ndjson")
        #expect(again.alreadyImported)
    }

    @Test func aJSONArrayAndAGzippedNDJSON() async throws {
        let root = try directory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try "[\(Self.good1),\(Self.good2)]".write(toFile: root + "/e.json", atomically: true, encoding: .utf8)
        try (Self.good1 + "\n" + Self.good2 + "\n").write(toFile: root + "/f.ndjson", atomically: true, encoding: .utf8)
        let (status, output) = try ExternalTool.run("/usr/bin/env", ["gzip", "-f", root + "/f.ndjson"])
        #expect(status == 0, "\(output)")
        let store = InMemoryStore()
        let array = try await EventFileImport(store: store, options: options()).run(path: root + "/e.json")
        #expect(array.stored == 2 && array.badRows == 0)
        let zipped = try await EventFileImport(store: store, options: options()).run(path: root + "/f.ndjson.gz")
        #expect(zipped.rows == 2 && zipped.duplicates == 2)
        #expect(EventFileImport.isSupported("a.jsonl.gz") && EventFileImport.isSupported("a.JSON") && !EventFileImport.isSupported("a.json.gz"))
    }

    @Test func anOverlongLineIsOneBadRowAndTheRestGoOn() async throws {
        let root = try directory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let long = #"{"kind":"trade","note":""# + String(repeating: "x", count: EventFileImport.maxLineBytes + 10) + #""}"#
        try [Self.good1, long, Self.good2].joined(separator: "\n").write(toFile: root + "/e.ndjson", atomically: true, encoding: .utf8)
        let store = InMemoryStore()
        let report = try await EventFileImport(store: store, options: options()).run(path: root + "/e.ndjson")
        #expect(report.stored == 2 && report.badRows == 1)
        let letter = try #require(store.deadLetters(limit: 1, source: "feed", pending: true).first)
        #expect(letter.reason.contains("line 2: the line is longer than"))
    }

    /// Batches commit as they fill; a run stopped after the first resumes after it.
    @Test func resumesAfterTheLastCommittedBatch() async throws {
        let root = try directory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let lines = (1...5).map { #"{"kind":"trade","symbol":"BTC-USD","trade_id":"\#($0)","time":"2026-12-01T00:00:00Z","price":"1","size":"1"}"# }
        try lines.joined(separator: "\n").write(toFile: root + "/e.ndjson", atomically: true, encoding: .utf8)
        let store = InMemoryStore()
        let sha = try CSVImport.digest(of: root + "/e.ndjson")
        // What a killed run leaves: two lines committed, not completed.
        let first = try await EventFileImport(store: store, options: options(batchSize: 2)).run(path: root + "/e.ndjson")
        #expect(first.batches == 3 && first.stored == 5)
        let progress = try #require(store.importProgress(fileSHA256: sha, source: "feed"))
        #expect(progress.completed && progress.rowsDone == 5)
        let partial = InMemoryStore()
        _ = try partial.commitImportBatch(
            ImportBatch(records: [], deadLetters: [], fileSHA256: sha, source: "feed", path: root + "/e.ndjson", rowsDone: 2, completed: false))
        let resumed = try await EventFileImport(store: partial, options: options(batchSize: 2)).run(path: root + "/e.ndjson")
        #expect(resumed.resumedAfter == 2)
        #expect(resumed.rows == 3 && resumed.stored == 3)
        #expect(partial.storedRecord(source: "feed", kind: .trade, symbol: "BTC-USD", naturalKey: "1") == nil)
    }
}
