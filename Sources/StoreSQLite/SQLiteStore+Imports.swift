import Foundation
import GRDB
import Pipeline
import TributaryCore

/// Import checkpoints and the columns each source's files have used.
extension SQLiteStore: RecordPreparing {
    /// Encodes records for their write on the calling thread (an import's converting cores),
    /// so the one writer only binds them.
    public func prepare(_ records: [Envelope]) -> PreparedRecords {
        PreparedRecords(encoding: SQLitePreparedRows(records), count: records.count)
    }

    public func importProgress(fileSHA256: String, source: String) throws -> ImportProgress? {
        try pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM import_files WHERE file_sha256 = ? AND source = ?", arguments: [fileSHA256, source]).map { row in
                var progress = ImportProgress()
                progress.rowsDone = row["rows_done"]
                progress.batches = row["batches"]
                progress.stored = row["stored"]
                progress.badRows = row["bad_rows"]
                progress.completed = (row["completed_at"] as String?) != nil
                return progress
            }
        }
    }

    /// One import batch in one transaction: its records, its bad rows and the file's checkpoint,
    /// so a `kill -9` leaves each batch wholly there or wholly absent and a re-run resumes after it.
    @discardableResult
    public func commitImportBatch(_ batch: ImportBatch) throws -> WriteResult {
        let (deadLetters, fileSHA256, source, path, rowsDone, completed) = (
            batch.deadLetters, batch.fileSHA256, batch.source, batch.path, batch.rowsDone, batch.completed
        )
        // Rows this store prepared off its writer for these very records, else encoded here.
        let prepared = batch.prepared.flatMap { $0.count == batch.records.count ? $0.encoding as? SQLitePreparedRows : nil }
        return try guarded { db in
            let result = try prepared.map { try Self.upsert($0, in: db) } ?? Self.upsert(batch.records, in: db)
            for letter in deadLetters { _ = try Self.insert(letter, maxBytes: deadLetterMaxBytes, in: db) }
            _ = try Self.resolve(batch.resolutions, at: .now(), in: db)
            let now = UTCTimestamp.now().rfc3339
            try db.execute(
                sql: """
                    INSERT INTO import_files (file_sha256, source, path, rows_done, batches, stored, bad_rows, started_at, completed_at)
                    VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?)
                    ON CONFLICT (file_sha256, source) DO UPDATE SET path = excluded.path, rows_done = excluded.rows_done,
                        batches = import_files.batches + 1, stored = import_files.stored + excluded.stored,
                        bad_rows = import_files.bad_rows + excluded.bad_rows, completed_at = excluded.completed_at
                    """, arguments: [fileSHA256, source, path, rowsDone, result.inserted + result.updated, deadLetters.count, now, completed ? now : nil])
            if let object = batch.object { try Self.upsert(object, in: db) }
            return result
        }
    }

    /// The column types a source's imports have used so far (the schema later files must keep).
    public func importColumns(source: String) throws -> [String: String] {
        try pool.read { db in
            Dictionary(
                uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT name, type FROM import_columns WHERE source = ?", arguments: [source])
                    .map { ($0["name"] as String, $0["type"] as String) })
        }
    }

    /// Records columns seen for the first time (schema evolution: new columns are accepted and kept).
    public func recordImportColumns(_ columns: [(name: String, type: String)], source: String, file: String) throws {
        _ = try guarded { db in
            for column in columns {
                try db.execute(
                    sql: "INSERT OR IGNORE INTO import_columns (source, name, type, first_file, added_at) VALUES (?, ?, ?, ?, ?)",
                    arguments: [source, column.name, column.type, file, UTCTimestamp.now().rfc3339])
            }
        }
    }
}
