import Foundation
import GRDB
import Pipeline
import Testing
import TributaryCore
import TributaryTesting

@testable import StoreSQLite

/// A version-1 store (every record a JSON blob in `records`, as Tributary wrote it before the
/// typed tables) opens as a typed store with every record, dead letter, gap and key intact.
@Suite struct LegacyMigrationTests {
    /// Writes a version-1 file: the schema through "v7: webhook ids" and rows as that code wrote them.
    func makeVersion1(_ path: String, envelopes: [Envelope], revisions: [Int]) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let queue = try DatabaseQueue(path: path)
        try SQLiteStore.migrator.migrate(queue, upTo: "v7: webhook ids")
        try queue.write { db in
            for (envelope, revision) in zip(envelopes, revisions) {
                let row = StoredRecord(envelope)
                try db.execute(
                    sql: """
                        INSERT INTO records (source, kind, symbol, natural_key, endpoint, content_hash, record_json, observed_at, ingested_at, as_of, revision)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        row.source, row.kind, row.symbol, row.naturalKey, row.endpoint, row.contentHash, row.line,
                        row.observedAt, row.ingestedAt, row.asOf, revision,
                    ])
            }
            try db.execute(
                sql:
                    "INSERT INTO records (source, kind, symbol, natural_key, endpoint, content_hash, record_json, observed_at, ingested_at) VALUES ('acme', 'trade', 'X', 'broken', 'e', 'sha256:00', '{not json', '', '')"
            )
            try db.execute(
                sql:
                    "INSERT INTO dead_letters (source, reason, raw, created_at, endpoint, payload) VALUES ('kraken', 'invalid JSON at byte 3', x'7B7B', '2024-01-02T00:00:00.000Z', 'ohlc', 'response')"
            )
            try db.execute(
                sql:
                    "INSERT INTO gaps (source, symbol, interval, from_start, to_start, reason, detected_at) VALUES ('binance', 'BTC-USDT', '1m', '2024-01-02T00:01:00.000Z', '2024-01-02T00:05:00.000Z', 'throttled', '2024-01-02T00:06:00.000Z')"
            )
            try db.execute(
                sql:
                    "INSERT INTO idempotency_keys (source, key, body_hash, status, response, created_at, expires_at) VALUES ('acme', 'k1', 'h', 202, x'7B7D', '', 9999999999)"
            )
            try db.execute(sql: "INSERT INTO webhook_ids (source, id, seen_at) VALUES ('acme', 'msg-1', 1700000000)")
            try db.execute(
                sql:
                    "INSERT INTO import_files (file_sha256, source, path, rows_done, batches, stored, bad_rows, started_at, completed_at) VALUES ('sha256:aa', 'tape', '/t.csv', 10, 1, 9, 1, '', '')"
            )
        }
    }

    /// Many records of every kind: the samples under distinct symbols, key-field identities, revisions.
    func envelopes(count: Int) -> ([Envelope], [Int]) {
        var envelopes: [Envelope] = []
        var revisions: [Int] = []
        var index = 0
        while envelopes.count < count {
            for var envelope in SampleRecords.rest() + SampleRecords.file(source: "tape") where envelopes.count < count {
                if envelope.record.kind == .trade, index % 3 == 0 { envelope.identity = "t|\(index)|\(envelopes.count)" }
                envelope.record.symbol = "S\(index)"
                if index % 2 == 0 { envelope.record.venueSymbol = "S\(index)" }
                envelope.provenance.contentHash = ContentHash.of(envelope.record)
                envelopes.append(envelope)
                revisions.append(1 + envelopes.count % 4)
            }
            index += 1
        }
        return (envelopes, revisions)
    }

    @Test func everyRecordDeadLetterGapAndKeySurvives() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tributary-v1-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/v1.sqlite"
        let (envelopes, revisions) = envelopes(count: 12_345)
        try makeVersion1(path, envelopes: envelopes, revisions: revisions)

        // A first open that is killed after its first chunk: that chunk is in, the rest still in `records`.
        struct Killed: Error {}
        #expect(throws: Killed.self) {
            _ = try SQLiteStore(path: path, migrationProgress: { moved, _ in if moved >= SQLiteLegacyRecords.chunkSize { throw Killed() } })
        }
        let partial = try DatabaseQueue(path: path)
        #expect(try partial.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM records") } == envelopes.count + 1 - SQLiteLegacyRecords.chunkSize)
        try partial.close()

        var lines: [String] = []
        let store = try SQLiteStore(path: path, migrationProgress: { moved, total in lines.append("\(moved)/\(total)") })
        #expect(lines.last == "\(envelopes.count + 1 - SQLiteLegacyRecords.chunkSize)/\(envelopes.count + 1 - SQLiteLegacyRecords.chunkSize)")
        #expect(try store.pool.read { db in try db.tableExists("records") } == false)
        #expect(try store.recordCount() == envelopes.count)
        for (envelope, revision) in zip(envelopes, revisions) {
            let record = envelope.record
            let key = envelope.identity ?? record.naturalKey
            let stored = try #require(try store.storedRecord(source: record.source, kind: record.kind, symbol: record.symbol, naturalKey: key))
            // Version 1 kept times to the millisecond: what it held is what comes back.
            #expect(stored.envelope.jsonObject == envelope.jsonObject, "\(record.kind) \(key)")
            #expect(stored.envelope.provenance.contentHash == envelope.provenance.contentHash)
            #expect(stored.envelope.identity == envelope.identity)
            #expect(stored.revision == revision)
        }
        // The unreadable row is a dead letter, not lost; the old dead letter, gap and keys are there.
        let letters = try store.deadLetters(limit: 10)
        #expect(letters.count == 2)
        #expect(letters.contains { $0.reason.hasPrefix("version-1 record could not be migrated") })
        #expect(letters.contains { $0.source == "kraken" && $0.reason == "invalid JSON at byte 3" })
        #expect(try store.gaps(source: "binance", limit: 10).first?.reason == "throttled")
        #expect(try store.idempotentResponse(source: "acme", key: "k1", now: 1_700_000_000)?.status == 202)
        #expect(try store.rememberWebhookID(source: "acme", id: "msg-1", now: 1_700_000_001, forgetBefore: 0) == false)
        #expect(try store.importProgress(fileSHA256: "sha256:aa", source: "tape")?.rowsDone == 10)
        // Writing again after the migration: the same records are unchanged.
        #expect(try store.upsert(Array(envelopes.prefix(100))).unchanged == 100)
    }
}
