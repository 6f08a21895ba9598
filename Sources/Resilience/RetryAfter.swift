import TributaryCore

/// Reads an HTTP `Retry-After` value (RFC 9110 §10.2.3): delay-seconds or an HTTP-date.
///
/// Upstreams send both forms (CoinGecko `retry-after: 53`; others an IMF-fixdate). A date
/// in the past means "now"; anything unreadable is reported as nil so the caller falls back
/// to its own backoff instead of trusting garbage.
public enum RetryAfter {
    /// The delay the value asks for, measured from `now`; nil when missing or malformed.
    public static func delay(_ value: String?, now: UTCTimestamp) -> Duration? {
        guard let raw = value?.trimmingSpacesAndTabs, !raw.isEmpty else { return nil }
        if raw.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
            // Delay-seconds; absurdly long values saturate rather than overflow.
            guard raw.utf8.count <= 12, let seconds = Int64(raw) else { return .seconds(Int64(Int32.max)) }
            return .seconds(seconds)
        }
        guard let date = HTTPDate.parse(raw) else { return nil }
        let (nanos, overflow) = date.nanosecondsSinceEpoch.subtractingReportingOverflow(now.nanosecondsSinceEpoch)
        if overflow { return date > now ? .seconds(Int64(Int32.max)) : .zero }
        return nanos <= 0 ? .zero : .nanoseconds(nanos)
    }
}

/// The three date formats RFC 9110 §5.6.7 requires a recipient to accept.
public enum HTTPDate {
    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    static let weekdays = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    static let longWeekdays = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

    /// `Sun, 06 Nov 1994 08:49:37 GMT` (IMF-fixdate), `Sunday, 06-Nov-94 08:49:37 GMT`
    /// (RFC 850) or `Sun Nov  6 08:49:37 1994` (asctime).
    public static func parse(_ text: String) -> UTCTimestamp? {
        let parts = text.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        if parts.count == 6, parts[5] == "GMT", parts[0].hasSuffix(","), weekdays.contains(String(parts[0].dropLast())),
            let day = Int(parts[1]), parts[1].count == 2, let month = months.firstIndex(of: parts[2]),
            let year = Int(parts[3]), parts[3].count == 4
        {
            return make(year: year, month: month + 1, day: day, time: parts[4])
        }
        if parts.count == 4, parts[3] == "GMT", parts[0].hasSuffix(","), longWeekdays.contains(String(parts[0].dropLast())) {
            let date = parts[1].split(separator: "-").map(String.init)
            guard date.count == 3, let day = Int(date[0]), let month = months.firstIndex(of: date[1]), let yy = Int(date[2]),
                date[2].count == 2
            else { return nil }
            // RFC 9110: a two-digit year more than 50 years in the future is in the past century.
            let year = yy + (yy < 70 ? 2000 : 1900)
            return make(year: year, month: month + 1, day: day, time: parts[2])
        }
        if parts.count == 5, weekdays.contains(parts[0]), let month = months.firstIndex(of: parts[1]), let day = Int(parts[2]),
            let year = Int(parts[4]), parts[4].count == 4
        {
            return make(year: year, month: month + 1, day: day, time: parts[3])
        }
        return nil
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    private static func make(year: Int, month: Int, day: Int, time: String) -> UTCTimestamp? {
        let clock = time.split(separator: ":").map { Int($0) }
        guard clock.count == 3, let h = clock[0], let m = clock[1], let s = clock[2], h < 24, m < 60, s < 61,
            time.count == 8
        else { return nil }
        let iso = pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2) + "T" + time + "Z"
        return UTCTimestamp(rfc3339: iso)
    }
}

extension String {
    fileprivate var trimmingSpacesAndTabs: String {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "\t" { slice = slice.dropFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice = slice.dropLast() }
        return String(slice)
    }
}
