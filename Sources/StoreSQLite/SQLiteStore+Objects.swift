import GRDB
import Pipeline
import TributaryCore

/// The objects of buckets and folders each source imported (`import_objects`).
extension SQLiteStore {
    public func objectStates(source: String, uriPrefix: String) throws -> [String: ObjectState] {
        try pool.read { db in
            // `>=` and `<` on the prefix keep the primary key's range scan (LIKE would not, and
            // would read `%` and `_` in a key as wildcards).
            let rows = try Row.fetchAll(
                db, sql: "SELECT * FROM import_objects WHERE source = ? AND uri >= ? AND uri < ?",
                arguments: [source, uriPrefix, uriPrefix + "\u{10FFFF}"])
            var states: [String: ObjectState] = [:]
            for row in rows {
                let state = try Self.objectState(row)
                states[state.uri] = state
            }
            return states
        }
    }

    public func recordObjectStates(_ states: [ObjectState]) throws {
        _ = try guarded { db in
            for state in states { try Self.upsert(state, in: db) }
        }
    }

    static func upsert(_ state: ObjectState, in db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO import_objects (source, uri, etag, size, last_modified, content_sha256, status, rows, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (source, uri) DO UPDATE SET etag = excluded.etag, size = excluded.size, last_modified = excluded.last_modified,
                    content_sha256 = excluded.content_sha256, status = excluded.status, rows = excluded.rows, updated_at = excluded.updated_at
                """,
            arguments: [
                state.source, state.uri, state.etag, state.size, state.lastModified?.rfc3339, state.contentSHA256, state.status.rawValue, state.rows,
                state.updatedAt.rfc3339,
            ])
    }

    static func objectState(_ row: Row) throws -> ObjectState {
        let statusText: String = row["status"]
        guard let status = ObjectState.Status(rawValue: statusText) else {
            throw StoredRowError(table: "import_objects", column: "status", problem: "unknown '\(statusText)'")
        }
        let updatedText: String = row["updated_at"]
        guard let updated = UTCTimestamp(rfc3339: updatedText) else {
            throw StoredRowError(table: "import_objects", column: "updated_at", problem: "'\(updatedText)' is not a time")
        }
        return ObjectState(
            source: row["source"], uri: row["uri"], etag: row["etag"], size: row["size"],
            lastModified: (row["last_modified"] as String?).flatMap { UTCTimestamp(rfc3339: $0) }, contentSHA256: row["content_sha256"],
            status: status, rows: row["rows"], updatedAt: updated)
    }
}
