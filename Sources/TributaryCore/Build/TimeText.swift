/// Times as users write them: RFC 3339 (`T` or a space between date and time; without an
/// offset it is UTC), or epoch numbers (unit by digit count: up to 10 digits seconds, 13
/// milliseconds, 16 microseconds, more nanoseconds), optionally with a fraction of a second.
///
/// Anything outside ``UTCTimestamp/supportedRange`` is nil, like malformed text.
public enum TimeText {
    /// A date and time with no offset (`2024-01-02 09:30:00`, `2024-01-02T09:30:00.5`).
    public static func isNaive(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count >= 19, bytes[4] == 0x2D, bytes[7] == 0x2D, bytes[10] == 0x54 || bytes[10] == 0x20, bytes[13] == 0x3A else { return false }
        let tail = bytes[19...]
        return !tail.contains(0x5A) && !tail.contains(0x2B) && !tail.contains(0x2D) && bytes.last != 0x7A
    }

    public static func parse(_ text: String) -> UTCTimestamp? {
        // Epoch numbers first: a byte scan, cheaper than a failed RFC 3339 parse.
        if let (value, digits) = smallInteger(text) { return epoch(value, digits: digits) }
        let utf8 = text.utf8
        let negative = utf8.first == 0x2D
        let unsigned = negative ? utf8.dropFirst() : utf8[...]
        if !unsigned.isEmpty, unsigned.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
            guard unsigned.count <= 19, let value = Int64(text) else { return nil }
            return epoch(value, digits: unsigned.count)
        }
        if let time = UTCTimestamp(rfc3339: text) { return time }
        if text.count >= 19, text.utf8.count == text.count {
            var normalized = text
            if text[text.index(text.startIndex, offsetBy: 10)] == " " {
                normalized = String(text.prefix(10)) + "T" + String(text.dropFirst(11))
            }
            if isNaive(text) { normalized += "Z" }
            if normalized != text, let time = UTCTimestamp(rfc3339: normalized) { return time }
        }
        return fractionalSeconds(text, negative: negative)
    }

    /// `text` as an optionally negative integer of 1 to 18 digits, read in one pass over its
    /// bytes (no overflow is possible at 18 digits); nil for anything else, which the general
    /// path then reads. Every epoch time in a CSV column comes through here, once per row.
    private static func smallInteger(_ text: String) -> (value: Int64, digits: Int)? {
        let result = text.utf8.withContiguousStorageIfAvailable { bytes -> (value: Int64, digits: Int)? in
            let negative = bytes.first == 0x2D
            let start = negative ? 1 : 0
            let digits = bytes.count - start
            guard digits >= 1, digits <= 18 else { return nil }
            var value: Int64 = 0
            for index in start..<bytes.count {
                let digit = bytes[index] &- 0x30
                guard digit <= 9 else { return nil }
                value = value * 10 + Int64(digit)
            }
            return (negative ? -value : value, digits)
        }
        return result ?? nil
    }

    /// Epoch seconds with a fraction: `1700000000.123`, `-1.5`.
    private static func fractionalSeconds(_ text: String, negative: Bool) -> UTCTimestamp? {
        guard let dot = text.firstIndex(of: "."), let whole = Int64(text[..<dot]), String(whole.magnitude).count <= 10 else { return nil }
        let digits = text[text.index(after: dot)...]
        let fraction = digits.prefix(9)  // nanoseconds; further digits are truncated
        guard !fraction.isEmpty, digits.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
            let nanos = Int64(fraction + String(repeating: "0", count: 9 - fraction.count))
        else { return nil }
        return UTCTimestamp(seconds: whole, nanoseconds: negative ? -nanos : nanos)
    }

    private static func epoch(_ value: Int64, digits: Int) -> UTCTimestamp? {
        switch digits {
        case ...10: UTCTimestamp(epoch: value, unit: .seconds)
        case 11...13: UTCTimestamp(epoch: value, unit: .milliseconds)
        case 14...16: UTCTimestamp(epoch: value, unit: .microseconds)
        default: UTCTimestamp(epoch: value, unit: .nanoseconds)
        }
    }
}

extension TimeText {
    /// A time as a person writes it on a command line or in a query string: `now`, relative to
    /// now (`-1h`, `-30m`, `-7d`, `+5m`; units ms, s, m, h, d), a date (`2024-01-02`, midnight
    /// UTC), or anything ``parse(_:)`` reads (RFC 3339, epoch numbers). Nil otherwise, or when
    /// the result leaves the supported range.
    public static func parse(_ text: String, relativeTo now: UTCTimestamp) -> UTCTimestamp? {
        if text == "now" { return now }
        if let sign = text.first, sign == "-" || sign == "+", let duration = DurationText.parse(String(text.dropFirst())) {
            let nanos = duration.nanosecondsCount
            return now.adding(nanoseconds: sign == "-" ? -nanos : nanos)
        }
        if text.utf8.count == 10, let midnight = UTCTimestamp(rfc3339: text + "T00:00:00Z") { return midnight }
        return parse(text)
    }

    /// What ``parse(_:relativeTo:)`` accepts, for error messages.
    public static let relativeHelp = "now, -1h / -30m / -7d (ms, s, m, h, d), a date 2024-01-02, an RFC 3339 time or epoch seconds/ms/µs/ns"
}
