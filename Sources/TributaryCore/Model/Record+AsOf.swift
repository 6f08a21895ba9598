extension Record {
    /// The time the datum describes: a quote's or book's `as_of`, a bar's start, a trade's time,
    /// an article's publication, an observation's date (midnight UTC). A balance has none.
    ///
    /// Freshness is measured on it: a source whose newest `asOf` is old is stale, whatever its
    /// HTTP status says.
    public var asOf: UTCTimestamp? {
        switch payload {
        case .quote(let q): q.asOf
        case .bar(let b): b.start
        case .trade(let t): t.time
        case .book(let b): b.asOf
        case .news(let n): n.publishedAt
        case .observation(let o): Self.midnight(o.date)
        case .balance: nil
        }
    }

    private static func midnight(_ date: String) -> UTCTimestamp? {
        let parts = date.split(separator: "-")
        // Four-digit years keep the day count small; the nanoseconds are checked by the initializer.
        guard parts.count == 3, parts[0].count == 4, let year = Int64(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
            CivilCalendar.isValid(year: year, month: month, day: day)
        else { return nil }
        return UTCTimestamp(secondsSinceEpoch: CivilCalendar.days(fromYear: year, month: month, day: day) * 86_400)
    }
}
