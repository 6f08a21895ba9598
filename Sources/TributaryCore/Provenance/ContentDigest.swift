import CSHA256

/// A record's SHA-256 content hash as its 32 bytes, held inline (four words, no allocation).
///
/// What ``ContentHasher`` produces and what a store writes into its 32-byte hash column: the
/// `sha256:` text (``text``) is written only when someone reads it — JSON, exports, bus
/// message ids — not once per record on the way from the hasher to the database.
public struct ContentDigest: Sendable, Hashable {
    /// The digest's bytes in order, eight to a word (big-endian within each word).
    private let words: (UInt64, UInt64, UInt64, UInt64)

    /// The SHA-256 of `bytes`, computed in one call with nothing allocated (`CSHA256`): swift-crypto's
    /// `SHA256` allocates a context object per hash, 8 % of an import's conversion time when
    /// every record is hashed.
    public init(sha256Of bytes: UnsafeRawBufferPointer) {
        var digest: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        Swift.withUnsafeMutableBytes(of: &digest) { out in
            tributary_sha256(bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count, out.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
        words = Swift.withUnsafeBytes(of: &digest) { Self.words(of: $0) }
    }

    /// 32 bytes as a digest; nil for any other length (a stored hash column read back).
    public init?(bytes: UnsafeRawBufferPointer) {
        guard bytes.count == 32 else { return nil }
        words = Self.words(of: bytes)
    }

    private static func words(of bytes: UnsafeRawBufferPointer) -> (UInt64, UInt64, UInt64, UInt64) {
        func word(_ index: Int) -> UInt64 { UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self)) }
        return (word(0), word(1), word(2), word(3))
    }

    /// The canonical text — `sha256:` and 64 lowercase hex digits — as a digest; nil for any
    /// other text (uppercase digits, another algorithm), which provenance then keeps as text.
    public init?(text: String) {
        var text = text
        let parsed: (UInt64, UInt64, UInt64, UInt64)? = text.withUTF8 { utf8 in
            guard utf8.count == 71, utf8.starts(with: "sha256:".utf8) else { return nil }
            var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
            for i in 0..<64 {
                let byte = utf8[7 + i]
                let nibble: UInt64
                switch byte {
                case 0x30...0x39: nibble = UInt64(byte - 0x30)
                case 0x61...0x66: nibble = UInt64(byte - 0x57)
                default: return nil
                }
                switch i >> 4 {
                case 0: words.0 = words.0 << 4 | nibble
                case 1: words.1 = words.1 << 4 | nibble
                case 2: words.2 = words.2 << 4 | nibble
                default: words.3 = words.3 << 4 | nibble
                }
            }
            return words
        }
        guard let parsed else { return nil }
        words = parsed
    }

    /// Calls `body` with the 32 bytes (valid only during the call).
    public func withUnsafeBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        var big = (words.0.bigEndian, words.1.bigEndian, words.2.bigEndian, words.3.bigEndian)
        return try Swift.withUnsafeBytes(of: &big) { try body($0) }
    }

    /// `sha256:` and 64 lowercase hex digits, as provenance has always shown it.
    public var text: String {
        withUnsafeBytes { bytes in
            String(unsafeUninitializedCapacity: 71) { out in
                let prefix: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (0x73, 0x68, 0x61, 0x32, 0x35, 0x36, 0x3A)  // sha256:
                (out[0], out[1], out[2], out[3], out[4], out[5], out[6]) = prefix
                for i in 0..<32 {
                    out[7 + 2 * i] = Self.hexDigit(bytes[i] >> 4)
                    out[8 + 2 * i] = Self.hexDigit(bytes[i] & 0x0F)
                }
                return 71
            }
        }
    }

    @inline(__always)
    static func hexDigit(_ nibble: UInt8) -> UInt8 { nibble < 10 ? 0x30 &+ nibble : 0x57 &+ nibble }

    public static func == (lhs: ContentDigest, rhs: ContentDigest) -> Bool {
        lhs.words.0 == rhs.words.0 && lhs.words.1 == rhs.words.1 && lhs.words.2 == rhs.words.2 && lhs.words.3 == rhs.words.3
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(words.0)
        hasher.combine(words.1)
        hasher.combine(words.2)
        hasher.combine(words.3)
    }
}
