import NIOCore
import TributaryCore

/// Rows in `COPY … FROM STDIN`'s text format, written cell by cell into one buffer:
/// tab-separated, `\N` for NULL, backslash escapes for backslash, tab, newline and carriage
/// return, a hash as `\x` + hex (bytea). Decimals and integers are written as their digits with
/// no `String` in between (an import chunk is 10,000 rows of a dozen cells).
struct CopyLine {
    private(set) var buffer = ByteBuffer()
    private var atStart = true
    private var digits: [UInt8] = []

    private mutating func separate() {
        if !atStart { buffer.writeInteger(UInt8(ascii: "\t")) }
        atStart = false
    }

    mutating func text(_ value: String?) {
        separate()
        guard let value else { buffer.writeString("\\N"); return }
        // Most cells need no escape: copy them whole.
        if !value.utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) {
            buffer.writeString(value)
            return
        }
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\\"): buffer.writeString("\\\\")
            case 0x09: buffer.writeString("\\t")
            case 0x0A: buffer.writeString("\\n")
            case 0x0D: buffer.writeString("\\r")
            default: buffer.writeInteger(byte)
            }
        }
    }

    mutating func integer(_ value: Int64) {
        separate()
        buffer.writeString(String(value))
    }

    mutating func decimal(_ value: ExactDecimal) {
        separate()
        digits.removeAll(keepingCapacity: true)
        value.write(into: &digits)
        buffer.writeBytes(digits)
    }

    /// `sha256:` + 64 hex digits as bytea's hex input: `\x` + the digits (backslash escaped).
    mutating func hash(_ contentHash: String) {
        separate()
        buffer.writeString("\\\\x")
        buffer.writeSubstring(contentHash.dropFirst(7))
    }

    mutating func end() {
        buffer.writeInteger(UInt8(ascii: "\n"))
        atStart = true
    }
}
