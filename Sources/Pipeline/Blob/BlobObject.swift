import TributaryCore

/// One object of a bucket or one file of a folder, as a listing describes it: enough to tell
/// whether it changed since the last import without reading its body.
public struct BlobObject: Sendable, Hashable {
    /// The key inside its container (`prices/2026/12/01.csv`).
    public var key: String
    public var size: Int64
    /// The server's entity tag, quotes removed (S3: the MD5 of a single-part upload, or a
    /// multipart tag); for a local file its modification time in nanoseconds and its size.
    public var etag: String
    public var lastModified: UTCTimestamp?
    /// The object's address for people and provenance (`s3://bucket/key`, `file:///abs/path`).
    public var uri: String

    public init(key: String, size: Int64, etag: String, lastModified: UTCTimestamp?, uri: String) {
        self.key = key
        self.size = size
        self.etag = etag
        self.lastModified = lastModified
        self.uri = uri
    }
}

/// One page of a listing: objects in key order, and where the next page starts (nil at the end).
public struct BlobPage: Sendable {
    public var objects: [BlobObject]
    public var continuation: String?
    /// The sub-prefixes a ``BlobSource/delimiter`` rolled up on this page (not listed).
    public var commonPrefixes: [String]

    public init(objects: [BlobObject], continuation: String?, commonPrefixes: [String] = []) {
        self.objects = objects
        self.continuation = continuation
        self.commonPrefixes = commonPrefixes
    }
}
