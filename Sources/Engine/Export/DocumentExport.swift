import Pipeline
import TributaryCore

/// Documents and chunks for downstream indexers: `tributary export --documents|--chunks` and
/// `GET /documents/{id}`, as CSV or JSON Lines, streamed from the store a page at a time.
public enum DocumentExport {
    public static let documentColumns = [
        "id", "source", "uri", "content_hash", "etag", "version", "last_modified", "metadata", "status", "error_count", "error", "updated_at",
    ]
    public static let chunkColumns = ["doc_id", "chunk_id", "offset", "length", "chunk_hash", "text"]

    public static func json(_ document: Document) -> JSONValue { .object(JSONObject(members(document))) }

    /// A document with its chunks in order (`GET /documents/{id}`).
    public static func json(_ document: Document, chunks: [DocumentChunk]) -> JSONValue {
        .object(JSONObject(members(document) + [("chunks", .array(chunks.map(json)))]))
    }

    static func members(_ document: Document) -> [(key: String, value: JSONValue)] {
        [
            ("id", .string(document.id)), ("source", .string(document.source)), ("uri", .string(document.uri)),
            ("content_hash", .string(document.contentHash)), ("etag", .string(document.etag)), ("version", .number(String(document.version))),
            ("last_modified", document.lastModified.map { .string($0.rfc3339) } ?? .null),
            ("metadata", .object(JSONObject(document.metadata.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.string($0.value)) }))),
            ("status", .string(document.status.rawValue)), ("error_count", .number(String(document.errorCount))),
            ("error", document.error.map { .string($0) } ?? .null), ("updated_at", .string(document.updatedAt.rfc3339)),
        ]
    }

    public static func json(_ chunk: DocumentChunk) -> JSONValue {
        .object(
            JSONObject([
                ("doc_id", .string(chunk.documentID)), ("chunk_id", .number(String(chunk.chunkID))), ("offset", .number(String(chunk.offset))),
                ("length", .number(String(chunk.length))), ("chunk_hash", .string(chunk.chunkHash)), ("text", .string(chunk.text)),
            ]))
    }

    static func cells(_ document: Document) -> [String] {
        [
            document.id, document.source, document.uri, document.contentHash, document.etag, String(document.version),
            document.lastModified?.rfc3339 ?? "", document.metadataJSON, document.status.rawValue, String(document.errorCount), document.error ?? "",
            document.updatedAt.rfc3339,
        ]
    }

    static func cells(_ chunk: DocumentChunk) -> [String] {
        [chunk.documentID, String(chunk.chunkID), String(chunk.offset), String(chunk.length), chunk.chunkHash, chunk.text]
    }

    static func line(_ cells: [String]) -> [UInt8] { Array((cells.map(RecordExport.quoted).joined(separator: ",") + "\n").utf8) }

    static func line(_ value: JSONValue) -> [UInt8] { JSONWriter.encode(value) + [0x0A] }

    /// Every document (of `source`, when given) in id order; returns how many.
    @discardableResult
    public static func streamDocuments(
        from store: any DocumentStore, source: String?, format: RecordExport.Format, pageSize: Int = 500, write: ([UInt8]) async throws -> Void
    ) async throws -> Int {
        if format == .csv { try await write(line(documentColumns)) }
        var after: String?
        var count = 0
        while true {
            let page = try await store.documents(source: source, after: after, limit: pageSize)
            guard let last = page.last else { break }
            try await write(page.flatMap { format == .csv ? line(cells($0)) : line(json($0)) })
            count += page.count
            after = last.id
        }
        return count
    }

    /// Every chunk (of `source`'s documents, when given) in (document, position) order; returns how many.
    @discardableResult
    public static func streamChunks(
        from store: any DocumentStore, source: String?, format: RecordExport.Format, pageSize: Int = 500, write: ([UInt8]) async throws -> Void
    ) async throws -> Int {
        if format == .csv { try await write(line(chunkColumns)) }
        var after: (documentID: String, chunkID: Int)?
        var count = 0
        while true {
            let page = try await store.documentChunks(source: source, after: after, limit: pageSize)
            guard let last = page.last else { break }
            try await write(page.flatMap { format == .csv ? line(cells($0)) : line(json($0)) })
            count += page.count
            after = (last.documentID, last.chunkID)
        }
        return count
    }
}
