extension Record {
    /// What makes two records "the same datum" for storage: the same source, kind, symbol and
    /// this key. A later record with the same key replaces the stored one only if its content
    /// hash differs; an identical one is skipped, so replays and retries never duplicate.
    ///
    /// quote and book: the as-of time; bar: interval and start; trade: the trade id; news: the
    /// article id; observation: series and date; balance: the asset (the latest balance wins).
    public var naturalKey: String {
        switch payload {
        case .quote(let q): q.asOf.rfc3339
        case .bar(let b): "\(b.interval)@\(b.start.rfc3339)"
        case .trade(let t): t.tradeID
        case .book(let b): b.asOf.rfc3339
        case .news(let n): n.id
        case .observation(let o): "\(o.series)@\(o.date)"
        case .balance(let b): b.asset
        }
    }
}
