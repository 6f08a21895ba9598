import Foundation

/// Converts exchange-local wall times to UTC and back, for upstreams that write times
/// without an offset (Alpha Vantage, Twelve Data: `2023-08-24 11:09:00` in America/New_York).
///
/// Uses the IANA time-zone database (tzdata), so daylight-saving changes are applied for the
/// date in question, not for today.
public enum ExchangeTime {
    /// `2023-08-24 11:09:00` or `2023-08-24` (midnight) in `zone` → UTC; nil when malformed or
    /// the zone is unknown.
    public static func utc(fromLocal text: String, zone: String) -> UTCTimestamp? {
        guard let timeZone = TimeZone(identifier: zone) else { return nil }
        let normalized = text.count == 10 ? text + " 00:00:00" : text
        // Parse as if UTC, then subtract the zone's offset at that instant (twice, to settle
        // on the right side of a daylight-saving change).
        guard let asUTC = UTCTimestamp(rfc3339: normalized.replacingOccurrences(of: " ", with: "T") + "Z") else { return nil }
        let naive = Date(timeIntervalSince1970: Double(asUTC.millisecondsSinceEpoch) / 1000)
        var offset = timeZone.secondsFromGMT(for: naive)
        offset = timeZone.secondsFromGMT(for: naive.addingTimeInterval(-Double(offset)))
        return asUTC.adding(seconds: -Int64(offset))
    }

    /// The calendar date (YYYY-MM-DD) of `time` in `zone`.
    public static func localDate(of time: UTCTimestamp, zone: String) -> String? {
        guard let timeZone = TimeZone(identifier: zone) else { return nil }
        let date = Date(timeIntervalSince1970: Double(time.millisecondsSinceEpoch) / 1000)
        guard let shifted = time.adding(seconds: Int64(timeZone.secondsFromGMT(for: date))) else { return nil }
        return String(shifted.rfc3339.prefix(10))
    }
}
