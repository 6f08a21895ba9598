import Connectors
import Engine
import Foundation
import Pipeline
import Synchronization
import Testing
import TributaryCore
import TributaryTesting

/// The bucket progress line: objects of the plan, rows, MB of the delta, MB/s and ETA, and
/// the plan an import announces before reading (only the delta, numbered from 1).
@Suite struct ObjectImportTallyTests {
    @Test func theLineCountsObjectsRowsBytesAndTimeLeft() {
        var tally = ObjectImportTally()
        tally.record(.listing(objects: 3))
        #expect(tally.line(elapsed: .seconds(1)) == "3 objects listed")
        tally.record(.planned(objects: 2, bytes: 4_194_304, complete: true))
        tally.record(.started(number: 1, uri: "s3://b/a.csv", size: 2_097_152))
        tally.record(.downloading(uri: "s3://b/a.csv", bytes: 1_048_576, of: 2_097_152))
        #expect(tally.line(elapsed: .seconds(1)).hasPrefix("[1/2 objects] 0 rows, 0.0 of 4.0 MB, 0.0 MB/s (reading object 1) [....................] 0%"))
        tally.record(.importing(uri: "s3://b/a.csv", CSVImport.Progress(rows: 1_000, bytes: 2_097_152, totalBytes: 2_097_152)))
        tally.record(.started(number: 2, uri: "s3://b/b.csv", size: 2_097_152))
        tally.record(.importing(uri: "s3://b/b.csv", CSVImport.Progress(rows: 500, bytes: 1_048_576, totalBytes: 2_097_152)))
        // 3 of 4 MB in 3 s: 1 MB/s, 1 MB left.
        #expect(tally.rows == 1_500 && tally.bytesDone == 3_145_728)
        #expect(tally.line(elapsed: .seconds(3)) == "[2/2 objects] 1500 rows, 3.0 of 4.0 MB, 1.0 MB/s [###############.....] 75%, ETA 1 s")
    }

    @Test func aPlanStillListingSaysSo() {
        var tally = ObjectImportTally()
        tally.record(.planned(objects: 1_000, bytes: 1_048_576_000, complete: false))
        tally.record(.started(number: 1, uri: "s3://b/0.csv", size: 1_048_576))
        #expect(tally.line(elapsed: .seconds(1)).hasPrefix("[1/1000 objects listed so far] 0 rows"))
    }

    @Test func anImportAnnouncesOnlyItsDeltaNumberedFromOne() async throws {
        let root = NSTemporaryDirectory() + "tributary-tally-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let header = "symbol,trade_id,time,price,size\n"
        for name in ["a", "b", "c"] {
            try (header + "BTC-USD,\(name),2026-12-01T00:00:00Z,1,1\n").write(toFile: root + "/\(name).csv", atomically: true, encoding: .utf8)
        }
        let store = InMemoryStore()
        var options = CSVImport.Options(source: "tape")
        options.rules = NormalizationRulesLoader.parse("kind: trade\n", file: "rules.yaml").0
        let prefix = "file://" + CSVImport.absolute(root) + "/"
        func run() async throws -> [ObjectImport.Progress] {
            let events = Mutex<[ObjectImport.Progress]>([])
            _ = try await ObjectImport(
                blobs: FolderBlobSource(root: root), store: store, importer: CSVImport(store: store, options: options), uriPrefix: prefix,
                sourceType: .file, options: ObjectImport.Options()
            ).run { event in events.withLock { $0.append(event) } }
            return events.withLock { $0 }
        }
        func plan(_ events: [ObjectImport.Progress]) -> [String] {
            events.compactMap { event in
                switch event {
                case .planned(let objects, let bytes, let complete): "planned \(objects) \(bytes) \(complete)"
                case .started(let number, let uri, _): "started \(number) \(uri.dropFirst(prefix.count))"
                default: nil
                }
            }
        }
        let size = (header + "BTC-USD,a,2026-12-01T00:00:00Z,1,1\n").utf8.count
        #expect(plan(try await run()) == ["planned 3 \(3 * size) true", "started 1 a.csv", "started 2 b.csv", "started 3 c.csv"])
        // A changed size (its entity tag changes with it): only b.csv is planned and read.
        let changed = header + "BTC-USD,b,2026-12-01T00:00:00Z,2.5,1\n"
        try changed.write(toFile: root + "/b.csv", atomically: true, encoding: .utf8)
        #expect(plan(try await run()) == ["planned 1 \(changed.utf8.count) true", "started 1 b.csv"])
    }
}
