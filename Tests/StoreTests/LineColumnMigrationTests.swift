import Foundation
import GRDB
import Pipeline
import Testing
import TributaryCore

@testable import StoreSQLite

/// A typed store written before the `line` column (schema through "v8") opens, gains the column,
/// and keeps every record's provenance: old rows with `["line:N"]` in `extra_transformations`,
/// new ones with the integer.
@Suite struct LineColumnMigrationTests {
    func trade(_ id: String, line: Int) -> Envelope {
        let record = Record(
            source: "tape", endpoint: "import", symbol: "BTC-USD", venueSymbol: "BTC-USD",
            payload: .trade(Trade(tradeID: id, time: UTCTimestamp(nanosecondsSinceEpoch: 1_000), price: ExactDecimal(2), size: ExactDecimal(1))))
        let now = UTCTimestamp(nanosecondsSinceEpoch: 7_000)
        return Envelope(
            record: record,
            provenance: Provenance(
                sourceID: "tape", sourceType: .file, sourceURI: "file:///t.csv", contentHash: ContentHash.of(record), ingestedAt: now, observedAt: now,
                parentID: "sha256:f", transformations: ["import:csv", "line:\(line)"], batchID: "b-0", requestID: "b-0"))
    }

    @Test func aVersion8StoreGainsTheLineColumnAndReadsBothForms() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tributary-v8-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/t.sqlite"
        let old = trade("1", line: 2)
        do {
            // The v8 shape: the kind tables without `line`, an imported row's step as JSON text.
            let queue = try DatabaseQueue(path: path)
            try SQLiteStore.migrator.migrate(queue, upTo: "v8: typed tables, provenance per batch")
            try queue.write { db in
                try Version13Tables.downgrade(in: db)
                for table in SQLiteKindTable.all { try db.execute(sql: "ALTER TABLE \(table.name) DROP COLUMN line") }
                try db.execute(
                    sql: """
                        INSERT INTO sources (key, id) VALUES (1, 'tape');
                        INSERT INTO batches (id, source_key, endpoint, source_type, source_uri, hash_algorithm, ingested_at, observed_at, purpose,
                                             parent_id, transformations, ingested_by, batch_id, request_id)
                        VALUES (1, 1, 'import', 'file', 'file:///t.csv', 'sha256', 7000, 7000, ?, 'sha256:f', '["import:csv"]', ?, 'b-0', 'b-0');
                        """, arguments: [old.provenance.purpose, old.provenance.ingestedBy])
                var hash: [UInt8] = []
                try SQLiteStore.appendHashBytes(old.provenance.contentHash, to: &hash)
                try db.execute(
                    sql: """
                        INSERT INTO trades (source_key, symbol, key, batch, content_hash, extra_transformations, time, price, size)
                        VALUES (1, 'BTC-USD', '1', 1, ?, '["line:2"]', 1000, '2', '1')
                        """, arguments: [Data(hash)])
            }
        }
        let store = try SQLiteStore(path: path)
        #expect(try store.pool.read { db in try db.columns(in: "trades").contains { $0.name == "line" } })
        // Two rows of one batch: the batch holds `import:csv`, each row its own line.
        let new = trade("2", line: 3), next = trade("3", line: 4)
        #expect(try store.upsert([new, next]).inserted == 2)
        #expect(try store.storedRecord(source: "tape", kind: .trade, symbol: "BTC-USD", naturalKey: "1")?.envelope == old)
        #expect(try store.storedRecord(source: "tape", kind: .trade, symbol: "BTC-USD", naturalKey: "2")?.envelope == new)
        #expect(try store.pool.read { db in try Int64.fetchOne(db, sql: "SELECT line FROM trades WHERE key = 2") } == 3)
    }
}
