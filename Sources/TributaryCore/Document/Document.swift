/// A text document kept for re-indexing: a news article (headline and summary or content) or a
/// `.md` / `.txt` file from a folder or a bucket, with the state an incremental indexer needs —
/// its content hash, the object tag and version it was read at, and whether it is live.
public struct Document: Sendable, Hashable {
    public enum Status: String, Sendable, Hashable {
        case active, deleted, failed
    }

    /// Stable across re-ingestion: derived from the source and the URI (``Document/id(source:uri:)``).
    public var id: String
    public var source: String
    /// `s3://bucket/key`, `file:///path`, or the article's URL.
    public var uri: String
    /// `sha256:` + hex of the document's text (UTF-8).
    public var contentHash: String
    public var etag: String
    /// 1 when first stored; +1 each time its content changes.
    public var version: Int
    public var lastModified: UTCTimestamp?
    /// Title, author, published time, media type… as text.
    public var metadata: [String: String]
    public var status: Status
    /// Failed reads so far (reset when it is read cleanly), and the last failure.
    public var errorCount: Int
    public var error: String?
    public var updatedAt: UTCTimestamp

    public init(
        id: String, source: String, uri: String, contentHash: String, etag: String = "", version: Int = 1, lastModified: UTCTimestamp? = nil,
        metadata: [String: String] = [:], status: Status = .active, errorCount: Int = 0, error: String? = nil, updatedAt: UTCTimestamp
    ) {
        self.id = id
        self.source = source
        self.uri = uri
        self.contentHash = contentHash
        self.etag = etag
        self.version = version
        self.lastModified = lastModified
        self.metadata = metadata
        self.status = status
        self.errorCount = errorCount
        self.error = error
        self.updatedAt = updatedAt
    }

    /// `doc_` + 24 hex digits of SHA-256(source, NUL, uri): the same document always gets the
    /// same id, safe in a URL path (`GET /documents/{id}`).
    public static func id(source: String, uri: String) -> String {
        "doc_" + String(ContentHash.of(bytes: Array(source.utf8) + [0] + Array(uri.utf8)).dropFirst(7).prefix(24))
    }
}

/// One piece of a document's text, as a vector index would embed it.
public struct DocumentChunk: Sendable, Hashable {
    public var documentID: String
    /// Its position in the document (0, 1, 2…).
    public var chunkID: Int
    /// Where it starts and how long it is, in UTF-8 bytes of the document's text.
    public var offset: Int
    public var length: Int
    /// `sha256:` + hex of the chunk's text: a downstream index re-embeds only new hashes.
    public var chunkHash: String
    public var text: String

    public init(documentID: String, chunkID: Int, offset: Int, length: Int, chunkHash: String, text: String) {
        self.documentID = documentID
        self.chunkID = chunkID
        self.offset = offset
        self.length = length
        self.chunkHash = chunkHash
        self.text = text
    }
}

extension Document {
    /// The metadata as a JSON object with sorted keys (how the stores keep it).
    public var metadataJSON: String {
        JSONWriter.string(.object(JSONObject(metadata.map { ($0.key, JSONValue.string($0.value)) })), canonical: true)
    }

    /// Metadata read back from ``metadataJSON`` (members that are not strings are left out).
    public static func metadata(fromJSON text: String) -> [String: String] {
        guard let value = try? JSONParser.parse(Array(text.utf8)), case .object(let object) = value else { return [:] }
        var metadata: [String: String] = [:]
        for (key, value) in object.members { if case .string(let text) = value { metadata[key] = text } }
        return metadata
    }
}
