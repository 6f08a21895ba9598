import TributaryCore

/// The latest view of one symbol: each source's newest record and what they say together.
///
/// A user comparing venues wants one price and to know whom not to trust: the median of the
/// sources' last prices (exact, no floating point), the spread between the highest and lowest,
/// and per source whether it is stale (its `as_of` older than its threshold) or an outlier (its
/// price further than `outlierPercent` from the median). Stale sources do not vote.
public struct ConsolidatedView: Sendable {
    public struct Entry: Sendable {
        public var source: String
        public var price: ExactDecimal?
        public var asOf: UTCTimestamp?
        public var staleAfter: Duration

        public init(source: String, price: ExactDecimal?, asOf: UTCTimestamp?, staleAfter: Duration) {
            self.source = source
            self.price = price
            self.asOf = asOf
            self.staleAfter = staleAfter
        }
    }

    public struct Verdict: Sendable, Equatable {
        public var source: String
        public var stale: Bool
        public var outlier: Bool
        /// Distance from the median in percent (an approximation, for display).
        public var deviationPercent: Double?
    }

    public var median: ExactDecimal?
    public var spread: ExactDecimal?
    public var verdicts: [Verdict]

    public init(entries: [Entry], now: UTCTimestamp, outlierPercent: Double) {
        func isStale(_ entry: Entry) -> Bool {
            guard let asOf = entry.asOf else { return true }
            return now.duration(since: asOf) > entry.staleAfter
        }
        let voting = entries.filter { !isStale($0) }.compactMap(\.price)
        let median = ExactDecimal.median(voting)
        self.median = median
        if let low = voting.min(), let high = voting.max() { spread = high.subtracting(low) }
        verdicts = entries.map { entry in
            var deviation: Double?
            if let price = entry.price, let median, !median.isZero, let difference = price.subtracting(median) {
                deviation = abs(difference.approximateDouble / median.approximateDouble) * 100
            }
            return Verdict(source: entry.source, stale: isStale(entry), outlier: (deviation ?? 0) > outlierPercent, deviationPercent: deviation)
        }
    }

    /// The price a record of this kind stands for: a quote's last (else the bid/ask midpoint),
    /// a bar's close, a trade's price, an observation's value.
    public static func price(of record: Record) -> ExactDecimal? {
        switch record.payload {
        case .quote(let quote):
            if let last = quote.last { return last }
            guard let bid = quote.bid, let ask = quote.ask else { return nil }
            return bid.adding(ask)?.halved
        case .bar(let bar): return bar.close
        case .trade(let trade): return trade.price
        case .observation(let observation): return observation.value
        case .book, .news, .balance: return nil
        }
    }
}
