import Crypto

/// The `sha256:` content hash of a record.
///
/// Computed over the canonical JSON of the record without provenance (so without ingestion
/// time or request id): the same datum fetched twice, replayed from a dead-letter store or
/// re-imported from a file hashes the same, which is what lets sinks skip duplicates.
public enum ContentHash {
    public static let algorithm = "sha256"

    public static func of(_ record: Record) -> String {
        let bytes = JSONWriter.encode(.object(record.jsonObject(canonical: true)), canonical: true)
        return of(bytes: bytes)
    }

    public static func of(bytes: some Sequence<UInt8>) -> String {
        var hasher = SHA256()
        hasher.update(data: Array(bytes))
        return "sha256:" + hex(hasher.finalize())
    }

    static func hex(_ digest: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(64)
        for byte in digest {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
