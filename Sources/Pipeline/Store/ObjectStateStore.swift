import TributaryCore

/// What the store knows of each object a source imported from a bucket or folder: the entity
/// tag and size it had, the SHA-256 of its body, and whether it is still there. A later import
/// compares a listing with these and reads only the objects that are new or changed.
public protocol ObjectStateStore: ImportCheckpointStore {
    /// Every object state of `source` whose URI starts with `uriPrefix`, by URI.
    func objectStates(source: String, uriPrefix: String) async throws -> [String: ObjectState]

    /// Writes states on their own (an object found deleted, or one whose body was already
    /// imported under another name). An imported object's state is written by
    /// ``ImportCheckpointStore/commitImportBatch(_:)`` with its last batch instead.
    func recordObjectStates(_ states: [ObjectState]) async throws
}

/// One object as last imported (or found deleted).
public struct ObjectState: Sendable, Hashable {
    public enum Status: String, Sendable, Hashable {
        case imported, deleted
    }

    public var source: String
    /// `s3://bucket/key` or `file:///absolute/path`.
    public var uri: String
    public var etag: String
    public var size: Int64
    public var lastModified: UTCTimestamp?
    /// `sha256:` + hex of the body when it was read (the import's parent id).
    public var contentSHA256: String
    public var status: Status
    /// Rows of the object's last import.
    public var rows: Int
    public var updatedAt: UTCTimestamp

    public init(
        source: String, uri: String, etag: String, size: Int64, lastModified: UTCTimestamp?, contentSHA256: String, status: Status, rows: Int,
        updatedAt: UTCTimestamp
    ) {
        self.source = source
        self.uri = uri
        self.etag = etag
        self.size = size
        self.lastModified = lastModified
        self.contentSHA256 = contentSHA256
        self.status = status
        self.rows = rows
        self.updatedAt = updatedAt
    }
}
