import Pipeline
import PostgresNIO
import TributaryCore

/// The objects of buckets and folders each source imported (`import_objects`).
extension PostgresStore {
    public func objectStates(source: String, uriPrefix: String) async throws -> [String: ObjectState] {
        var states: [String: ObjectState] = [:]
        let found = try await rows(
            "SELECT * FROM import_objects WHERE source = $1 AND uri >= $2 AND uri < $3", [.text(source), .text(uriPrefix), .text(uriPrefix + "\u{10FFFF}")])
        for row in found {
            guard let uri = try row.text("uri"), let statusText = try row.text("status"), let status = ObjectState.Status(rawValue: statusText),
                let updated = try row.text("updated_at").flatMap({ UTCTimestamp(rfc3339: $0) })
            else { throw PostgresStoreError("import_objects holds a row that cannot be read (uri, status or updated_at)") }
            states[uri] = ObjectState(
                source: source, uri: uri, etag: try row.text("etag") ?? "", size: try row.int("size") ?? 0,
                lastModified: try row.text("last_modified").flatMap { UTCTimestamp(rfc3339: $0) }, contentSHA256: try row.text("content_sha256") ?? "",
                status: status, rows: Int(try row.int("rows") ?? 0), updatedAt: updated)
        }
        return states
    }

    public func recordObjectStates(_ states: [ObjectState]) async throws {
        _ = try await transaction { connection in
            for state in states { try await self.upsert(state, on: connection) }
        }
    }

    func upsert(_ state: ObjectState, on connection: PostgresConnection) async throws {
        try await connection.rows(
            """
            INSERT INTO import_objects (source, uri, etag, size, last_modified, content_sha256, status, rows, updated_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
            ON CONFLICT (source, uri) DO UPDATE SET etag = EXCLUDED.etag, size = EXCLUDED.size, last_modified = EXCLUDED.last_modified,
                content_sha256 = EXCLUDED.content_sha256, status = EXCLUDED.status, rows = EXCLUDED.rows, updated_at = EXCLUDED.updated_at
            """,
            [
                .text(state.source), .text(state.uri), .text(state.etag), .int(state.size), .text(state.lastModified?.rfc3339), .text(state.contentSHA256),
                .text(state.status.rawValue), .int(Int64(state.rows)), .text(state.updatedAt.rfc3339),
            ], logger: logger)
    }
}
