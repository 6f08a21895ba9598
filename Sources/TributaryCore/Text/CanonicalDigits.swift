/// Text that is exactly how `String(n)` writes a non-negative integer of at most 18 digits:
/// `0`, or digits without a leading zero. Such text reads back as the same text, so it can be
/// kept as the number — a natural key in an integer column, an imported row's `line:N` — and
/// given back byte for byte; any other text (`007`, `+7`, 19 digits) stays text.
public enum CanonicalDigits {
    /// The number the bytes write, or nil when they are not its canonical digits.
    public static func value(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard let first = bytes.first, bytes.count <= 18, first != UInt8(ascii: "0") || bytes.count == 1 else { return nil }
        var value: Int64 = 0
        for byte in bytes {
            guard byte &- UInt8(ascii: "0") <= 9 else { return nil }
            // At most 18 digits: below 10^18, no overflow.
            value = value &* 10 &+ Int64(byte &- UInt8(ascii: "0"))
        }
        return value
    }

    /// The number `text` writes, or nil when it is not its canonical digits.
    public static func value(_ text: String) -> Int64? {
        var text = text
        return text.withUTF8 { value($0) }
    }
}
