/// The `sha256:` content hash of a record.
///
/// Computed over the canonical JSON of the record without provenance (so without ingestion
/// time or request id): the same datum fetched twice, replayed from a dead-letter store or
/// re-imported from a file hashes the same, which is what lets sinks skip duplicates.
public enum ContentHash {
    public static let algorithm = "sha256"

    public static func of(_ record: Record) -> String {
        var hasher = ContentHasher()
        return hasher.hash(record)
    }

    /// The exact bytes the hash is computed over: the record's canonical JSON.
    public static func canonicalBytes(of record: Record) -> [UInt8] {
        RecordJSONWriter.bytes(of: record)
    }

    public static func of(bytes: [UInt8]) -> String { of(bytes: bytes[...]) }

    /// The hash of part of a buffer, without copying it out first (a document's chunks).
    public static func of(bytes: ArraySlice<UInt8>) -> String {
        bytes.withUnsafeBytes { ContentDigest(sha256Of: $0).text }
    }

    public static func hex(_ digest: some Sequence<UInt8>, prefix: String = "") -> String {
        var out = Array(prefix.utf8)
        out.reserveCapacity(prefix.utf8.count + 64)
        for byte in digest { appendHex(byte, to: &out) }
        return String(decoding: out, as: UTF8.self)
    }

    public static func appendHex(_ byte: UInt8, to out: inout [UInt8]) {
        out.append(ContentDigest.hexDigit(byte >> 4))
        out.append(ContentDigest.hexDigit(byte & 0x0F))
    }
}

/// Content hashes of many records with the buffers kept between them (an import converts
/// 10,000 rows per chunk with one of these): the same hash as ``ContentHash/of(_:)``.
public struct ContentHasher {
    private var writer = RecordJSONWriter()

    public init() {}

    public mutating func hash(_ record: Record) -> String { digest(record).text }

    /// The hash as its 32 bytes: what provenance and the stores keep (no text per record).
    public mutating func digest(_ record: Record) -> ContentDigest {
        writer.withCanonicalBytes(of: record) { ContentDigest(sha256Of: UnsafeRawBufferPointer($0)) }
    }
}
