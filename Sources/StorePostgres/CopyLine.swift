import NIOCore
import TributaryCore

/// Rows in `COPY … FROM STDIN`'s text format, written cell by cell into one byte array:
/// tab-separated, `\N` for NULL, backslash escapes for backslash, tab, newline and carriage
/// return, a hash as `\x` + hex (bytea). Numbers and times are written as their digits with no
/// `String` in between; the bytes leave in pieces (``takePiece()``) so the server can work on
/// the first rows of a batch while the rest are written.
struct CopyLine {
    private var bytes: [UInt8] = []
    private var atStart = true

    init(capacity: Int = 1 << 18) { bytes.reserveCapacity(capacity) }

    /// How many bytes are waiting to be taken.
    var count: Int { bytes.count }

    /// The bytes written since the last piece, as a buffer to send; the array keeps its capacity.
    mutating func takePiece() -> ByteBuffer {
        let piece = ByteBuffer(bytes: bytes)
        bytes.removeAll(keepingCapacity: true)
        return piece
    }

    private mutating func separate() {
        if !atStart { bytes.append(UInt8(ascii: "\t")) }
        atStart = false
    }

    mutating func text(_ value: String?) {
        separate()
        guard var value else {
            bytes.append(UInt8(ascii: "\\"))
            bytes.append(UInt8(ascii: "N"))
            return
        }
        value.withUTF8 { utf8 in
            // Most cells need no escape: copy them whole.
            var clean = true
            for byte in utf8 where byte == UInt8(ascii: "\\") || byte == 0x09 || byte == 0x0A || byte == 0x0D {
                clean = false
                break
            }
            if clean {
                bytes.append(contentsOf: utf8)
                return
            }
            for byte in utf8 {
                switch byte {
                case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
                case 0x09: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
                case 0x0A: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
                case 0x0D: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
                default: bytes.append(byte)
                }
            }
        }
    }

    mutating func integer(_ value: Int64) {
        separate()
        bytes.writeInteger(value)
    }

    mutating func decimal(_ value: ExactDecimal) {
        separate()
        value.write(into: &bytes)
    }

    /// A time as two cells: the `timestamptz` (floored to the microsecond) and its `_ns` column,
    /// the nanoseconds below the microsecond — the split the merge makes of a staged BIGINT.
    mutating func time(nanoseconds: Int64) {
        separate()
        UTCTimestamp(nanosecondsSinceEpoch: nanoseconds).writeSQLTimestamp(into: &bytes)
        // The remainder directly: flooring first and multiplying back overflows at Int64.min.
        let below = nanoseconds % 1000
        integer(below < 0 ? below + 1000 : below)
    }

    /// The content hash as bytea's hex input, `\x` + 64 hex digits (backslash escaped): written
    /// from the digest's bytes when there is one, else copied from its `sha256:` text.
    mutating func hash(_ provenance: Provenance) {
        separate()
        bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\"), UInt8(ascii: "x")])
        if let digest = provenance.contentDigest {
            digest.withUnsafeBytes { digestBytes in
                for byte in digestBytes { ContentHash.appendHex(byte, to: &bytes) }
            }
            return
        }
        var text = provenance.contentHash
        text.withUTF8 { utf8 in bytes.append(contentsOf: utf8.dropFirst(7)) }
    }

    mutating func end() {
        bytes.append(UInt8(ascii: "\n"))
        atStart = true
    }
}
