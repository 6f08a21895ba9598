/// Where bulk files come from: an S3 bucket (the `SourceS3` adapter) or a local folder.
///
/// Listing is paged so a bucket of millions of keys is never held in memory at once, and
/// bodies are read in byte ranges so an object of any size moves through bounded buffers.
/// Implementations throw ``BlobError`` for every failure the importer can act on.
public protocol BlobSource: Sendable {
    /// Where the objects are, for messages (`s3://bucket/prefix`, a folder path); no credentials.
    var location: String { get }

    /// One page of the objects under the source's prefix whose keys sort after `startAfter`
    /// (a key below the prefix, like the `--include` patterns), in key order; pass the returned
    /// continuation to get the next page.
    func list(startAfter: String?, continuation: String?) async throws -> BlobPage

    /// When set, keys with this string after the prefix are rolled up into the page's
    /// ``BlobPage/commonPrefixes`` instead of listed (S3's `delimiter`: `/` lists one level).
    var delimiter: String? { get }

    /// The bytes `range` of `object` (fewer at its end). Fails with ``BlobError/Code/changed``
    /// when the object is no longer the one listed (its entity tag differs), so one import
    /// never mixes two versions of a file.
    func read(_ object: BlobObject, range: Range<Int64>) async throws -> [UInt8]

    /// A path to read the object from in place, when it is a local file (a folder source);
    /// nil for a remote object, which is copied to a local spool file first.
    func localPath(of object: BlobObject) -> String?
}

extension BlobSource {
    public func localPath(of object: BlobObject) -> String? { nil }

    public var delimiter: String? { nil }
}
