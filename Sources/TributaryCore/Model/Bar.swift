/// One OHLCV candle over a fixed interval, keyed by its start time.
public struct Bar: Sendable, Hashable {
    /// The interval as written in output: `1m`, `15m`, `1h`, `1d`, `1w`, `1M`.
    public var interval: String
    public var start: UTCTimestamp
    public var open: ExactDecimal
    public var high: ExactDecimal
    public var low: ExactDecimal
    public var close: ExactDecimal
    public var volume: ExactDecimal?
    public var trades: Int64?
    public var vwap: ExactDecimal?

    public init(
        interval: String, start: UTCTimestamp, open: ExactDecimal, high: ExactDecimal, low: ExactDecimal,
        close: ExactDecimal, volume: ExactDecimal?, trades: Int64? = nil, vwap: ExactDecimal? = nil
    ) {
        self.interval = interval
        self.start = start
        self.open = open
        self.high = high
        self.low = low
        self.close = close
        self.volume = volume
        self.trades = trades
        self.vwap = vwap
    }
}
