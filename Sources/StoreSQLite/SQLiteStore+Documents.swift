import GRDB
import Pipeline
import TributaryCore

/// Documents and their chunks (`documents`, `document_chunks`).
extension SQLiteStore {
    public func upsertDocument(_ document: Document, chunks: [DocumentChunk]) throws -> ChunkPlan.Counts {
        try guarded { db in
            let existing = try Row.fetchOne(db, sql: "SELECT * FROM documents WHERE id = ?", arguments: [document.id]).map(Self.document)
            var stored = document
            if let existing, existing.contentHash == document.contentHash, existing.status == .active {
                stored.version = existing.version
                try Self.write(stored, in: db)
                let count = try Int.fetchOne(db, sql: "SELECT count(*) FROM document_chunks WHERE doc_id = ?", arguments: [document.id]) ?? 0
                return ChunkPlan.Counts(unchanged: count, sameContent: true)
            }
            let old = try Row.fetchAll(db, sql: "SELECT chunk_id, chunk_hash FROM document_chunks WHERE doc_id = ?", arguments: [document.id])
                .map { (chunkID: $0["chunk_id"] as Int, chunkHash: $0["chunk_hash"] as String) }
            let plan = ChunkPlan(old: old, new: chunks)
            for hash in plan.delete {
                try db.execute(sql: "DELETE FROM document_chunks WHERE doc_id = ? AND chunk_hash = ?", arguments: [document.id, hash])
            }
            for chunk in plan.write {
                try db.execute(
                    sql: """
                        INSERT INTO document_chunks (doc_id, chunk_hash, chunk_id, byte_offset, byte_length, text) VALUES (?, ?, ?, ?, ?, ?)
                        ON CONFLICT (doc_id, chunk_hash) DO UPDATE SET chunk_id = excluded.chunk_id, byte_offset = excluded.byte_offset,
                            byte_length = excluded.byte_length
                        """, arguments: [document.id, chunk.chunkHash, chunk.chunkID, chunk.offset, chunk.length, chunk.text])
            }
            stored.version = existing.map { $0.contentHash == document.contentHash ? $0.version : $0.version + 1 } ?? 1
            try Self.write(stored, in: db)
            return plan.counts
        }
    }

    public func recordDocumentFailure(id: String, source: String, uri: String, error: String, at time: UTCTimestamp) throws {
        _ = try guarded { db in
            if var existing = try Row.fetchOne(db, sql: "SELECT * FROM documents WHERE id = ?", arguments: [id]).map(Self.document) {
                existing.errorCount += 1
                existing.error = error
                existing.updatedAt = time
                if existing.status == .deleted { existing.status = .failed }
                try Self.write(existing, in: db)
            } else {
                try Self.write(
                    Document(id: id, source: source, uri: uri, contentHash: "", version: 0, status: .failed, errorCount: 1, error: error, updatedAt: time),
                    in: db)
            }
        }
    }

    public func markDocumentDeleted(id: String, at time: UTCTimestamp) throws {
        _ = try guarded { db in
            try db.execute(sql: "DELETE FROM document_chunks WHERE doc_id = ?", arguments: [id])
            try db.execute(sql: "UPDATE documents SET status = 'deleted', updated_at = ? WHERE id = ?", arguments: [time.rfc3339, id])
        }
    }

    public func document(id: String) throws -> (document: Document, chunks: [DocumentChunk])? {
        try pool.read { db in
            guard let document = try Row.fetchOne(db, sql: "SELECT * FROM documents WHERE id = ?", arguments: [id]).map(Self.document) else { return nil }
            let chunks = try Row.fetchAll(db, sql: "SELECT * FROM document_chunks WHERE doc_id = ? ORDER BY chunk_id", arguments: [id]).map(Self.chunk)
            return (document, chunks)
        }
    }

    public func documents(source: String?, after: String?, limit: Int) throws -> [Document] {
        try pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM documents WHERE (? IS NULL OR source = ?) AND id > ? ORDER BY id LIMIT ?",
                arguments: [source, source, after ?? "", limit]
            ).map(Self.document)
        }
    }

    public func documentChunks(source: String?, after: (documentID: String, chunkID: Int)?, limit: Int) throws -> [DocumentChunk] {
        try pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT c.* FROM document_chunks c JOIN documents d ON d.id = c.doc_id
                    WHERE (? IS NULL OR d.source = ?) AND (c.doc_id, c.chunk_id) > (?, ?)
                    ORDER BY c.doc_id, c.chunk_id LIMIT ?
                    """, arguments: [source, source, after?.documentID ?? "", after?.chunkID ?? Int.min, limit]
            ).map(Self.chunk)
        }
    }

    static func write(_ document: Document, in db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO documents (id, source, uri, content_hash, etag, version, last_modified, metadata, status, error_count, error, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET source = excluded.source, uri = excluded.uri, content_hash = excluded.content_hash, etag = excluded.etag,
                    version = excluded.version, last_modified = excluded.last_modified, metadata = excluded.metadata, status = excluded.status,
                    error_count = excluded.error_count, error = excluded.error, updated_at = excluded.updated_at
                """,
            arguments: [
                document.id, document.source, document.uri, document.contentHash, document.etag, document.version, document.lastModified?.rfc3339,
                document.metadataJSON, document.status.rawValue, document.errorCount, document.error, document.updatedAt.rfc3339,
            ])
    }

    static func document(_ row: Row) throws -> Document {
        let statusText: String = row["status"]
        guard let status = Document.Status(rawValue: statusText) else {
            throw StoredRowError(table: "documents", column: "status", problem: "unknown '\(statusText)'")
        }
        let updatedText: String = row["updated_at"]
        guard let updated = UTCTimestamp(rfc3339: updatedText) else {
            throw StoredRowError(table: "documents", column: "updated_at", problem: "'\(updatedText)' is not a time")
        }
        return Document(
            id: row["id"], source: row["source"], uri: row["uri"], contentHash: row["content_hash"], etag: row["etag"], version: row["version"],
            lastModified: (row["last_modified"] as String?).flatMap { UTCTimestamp(rfc3339: $0) }, metadata: Document.metadata(fromJSON: row["metadata"]),
            status: status, errorCount: row["error_count"], error: row["error"], updatedAt: updated)
    }

    static func chunk(_ row: Row) -> DocumentChunk {
        DocumentChunk(
            documentID: row["doc_id"], chunkID: row["chunk_id"], offset: row["byte_offset"], length: row["byte_length"], chunkHash: row["chunk_hash"],
            text: row["text"])
    }
}
