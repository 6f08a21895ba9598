import Crypto

/// The `sha256:` content hash of a record.
///
/// Computed over the canonical JSON of the record without provenance (so without ingestion
/// time or request id): the same datum fetched twice, replayed from a dead-letter store or
/// re-imported from a file hashes the same, which is what lets sinks skip duplicates.
public enum ContentHash {
    public static let algorithm = "sha256"

    public static func of(_ record: Record) -> String {
        of(bytes: canonicalBytes(of: record))
    }

    /// The exact bytes the hash is computed over: the record's canonical JSON.
    public static func canonicalBytes(of record: Record) -> [UInt8] {
        CanonicalRecordWriter.bytes(of: record)
    }

    public static func of(bytes: [UInt8]) -> String {
        hex(SHA256.hash(data: bytes), prefix: "sha256:")
    }

    public static func hex(_ digest: some Sequence<UInt8>, prefix: String = "") -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = Array(prefix.utf8)
        out.reserveCapacity(prefix.utf8.count + 64)
        for byte in digest {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
