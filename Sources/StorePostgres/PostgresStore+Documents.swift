import Pipeline
import PostgresNIO
import TributaryCore

/// Documents and their chunks (`documents`, `document_chunks`).
extension PostgresStore {
    public func upsertDocument(_ document: Document, chunks: [DocumentChunk]) async throws -> ChunkPlan.Counts {
        try await transaction { connection in
            let found = try await connection.rows(
                "SELECT \(Self.documentColumns) FROM documents WHERE id = $1 FOR UPDATE", [.text(document.id)], logger: self.logger)
            let existing = try found.first.map(Self.document)
            var stored = document
            if let existing, existing.contentHash == document.contentHash, existing.status == .active {
                stored.version = existing.version
                try await self.write(stored, on: connection)
                let count = try await connection.rows("SELECT count(*) AS n FROM document_chunks WHERE doc_id = $1", [.text(document.id)], logger: self.logger)
                return ChunkPlan.Counts(unchanged: Int(try count.first?.int("n") ?? 0), sameContent: true)
            }
            var old: [(chunkID: Int, chunkHash: String)] = []
            for row in try await connection.rows(
                "SELECT chunk_id, chunk_hash FROM document_chunks WHERE doc_id = $1", [.text(document.id)], logger: self.logger)
            {
                old.append((Int(try row.int("chunk_id") ?? 0), try row.text("chunk_hash") ?? ""))
            }
            let plan = ChunkPlan(old: old, new: chunks)
            for hash in plan.delete {
                try await connection.rows(
                    "DELETE FROM document_chunks WHERE doc_id = $1 AND chunk_hash = $2", [.text(document.id), .text(hash)], logger: self.logger)
            }
            for chunk in plan.write {
                try await connection.rows(
                    """
                    INSERT INTO document_chunks (doc_id, chunk_hash, chunk_id, byte_offset, byte_length, text) VALUES ($1, $2, $3, $4, $5, $6)
                    ON CONFLICT (doc_id, chunk_hash) DO UPDATE SET chunk_id = EXCLUDED.chunk_id, byte_offset = EXCLUDED.byte_offset,
                        byte_length = EXCLUDED.byte_length
                    """,
                    [
                        .text(document.id), .text(chunk.chunkHash), .int(Int64(chunk.chunkID)), .int(Int64(chunk.offset)), .int(Int64(chunk.length)),
                        .text(chunk.text),
                    ], logger: self.logger)
            }
            stored.version = existing.map { $0.contentHash == document.contentHash ? $0.version : $0.version + 1 } ?? 1
            try await self.write(stored, on: connection)
            return plan.counts
        }
    }

    public func recordDocumentFailure(id: String, source: String, uri: String, error: String, at time: UTCTimestamp) async throws {
        _ = try await transaction { connection in
            let found = try await connection.rows("SELECT \(Self.documentColumns) FROM documents WHERE id = $1 FOR UPDATE", [.text(id)], logger: self.logger)
            if var existing = try found.first.map(Self.document) {
                existing.errorCount += 1
                existing.error = error
                existing.updatedAt = time
                if existing.status == .deleted { existing.status = .failed }
                try await self.write(existing, on: connection)
            } else {
                try await self.write(
                    Document(id: id, source: source, uri: uri, contentHash: "", version: 0, status: .failed, errorCount: 1, error: error, updatedAt: time),
                    on: connection)
            }
        }
    }

    public func markDocumentDeleted(id: String, at time: UTCTimestamp) async throws {
        _ = try await transaction { connection in
            try await connection.rows("DELETE FROM document_chunks WHERE doc_id = $1", [.text(id)], logger: self.logger)
            try await connection.rows(
                "UPDATE documents SET status = 'deleted', updated_at = $2 WHERE id = $1", [.text(id), .text(time.rfc3339)], logger: self.logger)
        }
    }

    public func document(id: String) async throws -> (document: Document, chunks: [DocumentChunk])? {
        guard let document = try await rows("SELECT \(Self.documentColumns) FROM documents WHERE id = $1", [.text(id)]).first.map(Self.document) else {
            return nil
        }
        let chunks = try await rows("SELECT * FROM document_chunks WHERE doc_id = $1 ORDER BY chunk_id", [.text(id)]).map(Self.chunk)
        return (document, chunks)
    }

    public func documents(source: String?, after: String?, limit: Int) async throws -> [Document] {
        try await rows(
            "SELECT \(Self.documentColumns) FROM documents WHERE ($1::text IS NULL OR source = $1) AND id > $2 ORDER BY id LIMIT $3",
            [.text(source), .text(after ?? ""), .int(Int64(limit))]
        ).map(Self.document)
    }

    public func documentChunks(source: String?, after: (documentID: String, chunkID: Int)?, limit: Int) async throws -> [DocumentChunk] {
        try await rows(
            """
            SELECT c.* FROM document_chunks c JOIN documents d ON d.id = c.doc_id
            WHERE ($1::text IS NULL OR d.source = $1) AND (c.doc_id, c.chunk_id) > ($2, $3)
            ORDER BY c.doc_id, c.chunk_id LIMIT $4
            """, [.text(source), .text(after?.documentID ?? ""), .int(Int64(after?.chunkID ?? Int(Int32.min))), .int(Int64(limit))]
        ).map(Self.chunk)
    }

    /// The columns of a document row, its metadata as JSON text.
    static let documentColumns =
        "id, source, uri, content_hash, etag, version, last_modified, metadata::text AS metadata, status, error_count, error, updated_at"

    func write(_ document: Document, on connection: PostgresConnection) async throws {
        try await connection.rows(
            """
            INSERT INTO documents (id, source, uri, content_hash, etag, version, last_modified, metadata, status, error_count, error, updated_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, $10, $11, $12)
            ON CONFLICT (id) DO UPDATE SET source = EXCLUDED.source, uri = EXCLUDED.uri, content_hash = EXCLUDED.content_hash, etag = EXCLUDED.etag,
                version = EXCLUDED.version, last_modified = EXCLUDED.last_modified, metadata = EXCLUDED.metadata, status = EXCLUDED.status,
                error_count = EXCLUDED.error_count, error = EXCLUDED.error, updated_at = EXCLUDED.updated_at
            """,
            [
                .text(document.id), .text(document.source), .text(document.uri), .text(document.contentHash), .text(document.etag),
                .int(Int64(document.version)),
                .text(document.lastModified?.rfc3339), .text(document.metadataJSON), .text(document.status.rawValue), .int(Int64(document.errorCount)),
                .text(document.error), .text(document.updatedAt.rfc3339),
            ], logger: logger)
    }

    static func document(_ row: PostgresRandomAccessRow) throws -> Document {
        guard let id = try row.text("id"), let status = try row.text("status").flatMap(Document.Status.init(rawValue:)),
            let updated = try row.text("updated_at").flatMap({ UTCTimestamp(rfc3339: $0) })
        else { throw PostgresStoreError("documents holds a row that cannot be read (id, status or updated_at)") }
        return Document(
            id: id, source: try row.text("source") ?? "", uri: try row.text("uri") ?? "", contentHash: try row.text("content_hash") ?? "",
            etag: try row.text("etag") ?? "", version: Int(try row.int("version") ?? 0),
            lastModified: try row.text("last_modified").flatMap { UTCTimestamp(rfc3339: $0) },
            metadata: Document.metadata(fromJSON: try row.text("metadata") ?? "{}"), status: status, errorCount: Int(try row.int("error_count") ?? 0),
            error: try row.text("error"), updatedAt: updated)
    }

    static func chunk(_ row: PostgresRandomAccessRow) throws -> DocumentChunk {
        DocumentChunk(
            documentID: try row.text("doc_id") ?? "", chunkID: Int(try row.int("chunk_id") ?? 0), offset: Int(try row.int("byte_offset") ?? 0),
            length: Int(try row.int("byte_length") ?? 0), chunkHash: try row.text("chunk_hash") ?? "", text: try row.text("text") ?? "")
    }
}
