import Foundation
import GRDB
import Pipeline
import TributaryCore

/// Moves a version-1 store's records (one JSON blob per row in `records`) into the typed tables.
///
/// Runs on open, in chunks of ``chunkSize`` rows, each chunk one transaction that upserts the
/// chunk's records and deletes their old rows: a `kill -9` loses no row and redoes at most one
/// chunk, and the next open carries on where it stopped. A row whose JSON cannot be read back
/// becomes a dead letter with the reason (its line and identity kept), never a silent loss.
/// The old table is dropped once empty. Identity, content hash, revision and provenance carry
/// over; times keep the millisecond precision version 1 stored.
enum SQLiteLegacyRecords {
    static let chunkSize = 5_000

    /// Migrates what is left; `progress` is called after each chunk with (moved so far, total).
    static func migrate(_ pool: DatabasePool, deadLetterMaxBytes: Int, progress: (Int, Int) throws -> Void) throws {
        let exists = try pool.read { db in try db.tableExists("records") }
        guard exists else { return }
        let total = try pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM records") ?? 0 }
        var moved = 0
        while true {
            let done = try pool.write { db -> Int in
                let rows = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT id, source, kind, symbol, natural_key, endpoint, content_hash, record_json, observed_at, ingested_at, as_of, revision
                        FROM records ORDER BY id LIMIT ?
                        """, arguments: [chunkSize])
                guard !rows.isEmpty else { return 0 }
                var envelopes: [Envelope] = []
                var revisions: [Int] = []
                for row in rows {
                    let stored = StoredRecord(
                        source: row["source"], kind: row["kind"], symbol: row["symbol"], naturalKey: row["natural_key"],
                        endpoint: row["endpoint"], contentHash: row["content_hash"], line: row["record_json"],
                        observedAt: row["observed_at"], ingestedAt: row["ingested_at"], asOf: row["as_of"])
                    do {
                        envelopes.append(try stored.envelope())
                        revisions.append(row["revision"])
                    } catch {
                        let letter = DeadLetter(
                            source: stored.source, endpoint: stored.endpoint,
                            reason: "version-1 record could not be migrated: \(error)", payload: .record(stored))
                        _ = try SQLiteStore.insert(letter, maxBytes: deadLetterMaxBytes, in: db)
                    }
                }
                _ = try SQLiteStore.upsert(envelopes, revisions: revisions, in: db)
                let last: Int64 = rows[rows.count - 1]["id"]
                try db.execute(sql: "DELETE FROM records WHERE id <= ?", arguments: [last])
                return rows.count
            }
            guard done > 0 else { break }
            moved += done
            try progress(moved, total)
        }
        try pool.write { db in try db.execute(sql: "DROP TABLE records") }
    }
}
