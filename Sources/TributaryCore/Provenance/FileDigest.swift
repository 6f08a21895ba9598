import Crypto

/// The SHA-256 of a file read in pieces: an imported file's identity (its checkpoint key and
/// its records' provenance parent) without holding the file in memory.
public struct FileDigest {
    private var hasher = SHA256()

    public init() {}

    public mutating func update(_ bytes: [UInt8]) {
        hasher.update(data: bytes)
    }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        hasher.update(bufferPointer: bytes)
    }

    /// `sha256:` + 64 hex digits.
    public func finalize() -> String {
        ContentHash.hex(hasher.finalize(), prefix: "sha256:")
    }
}
