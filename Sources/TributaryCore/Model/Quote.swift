/// A snapshot of an instrument's market: last price, best bid and ask, and session figures.
///
/// Only `asOf` is required, because upstreams differ in what they report (Kraken has no
/// timestamp in the body, Coinbase no high/low); a missing field stays nil rather than 0.
public struct Quote: Sendable, Hashable {
    public var asOf: UTCTimestamp
    public var last: ExactDecimal?
    public var bid: ExactDecimal?
    public var ask: ExactDecimal?
    public var bidSize: ExactDecimal?
    public var askSize: ExactDecimal?
    public var open: ExactDecimal?
    public var high: ExactDecimal?
    public var low: ExactDecimal?
    public var volume: ExactDecimal?
    public var quoteVolume: ExactDecimal?
    public var change: ExactDecimal?
    public var changePercent: ExactDecimal?
    public var currency: String?

    public init(
        asOf: UTCTimestamp, last: ExactDecimal? = nil, bid: ExactDecimal? = nil, ask: ExactDecimal? = nil,
        bidSize: ExactDecimal? = nil, askSize: ExactDecimal? = nil, open: ExactDecimal? = nil,
        high: ExactDecimal? = nil, low: ExactDecimal? = nil, volume: ExactDecimal? = nil,
        quoteVolume: ExactDecimal? = nil, change: ExactDecimal? = nil, changePercent: ExactDecimal? = nil,
        currency: String? = nil
    ) {
        self.asOf = asOf
        self.last = last
        self.bid = bid
        self.ask = ask
        self.bidSize = bidSize
        self.askSize = askSize
        self.open = open
        self.high = high
        self.low = low
        self.volume = volume
        self.quoteVolume = quoteVolume
        self.change = change
        self.changePercent = changePercent
        self.currency = currency
    }
}
