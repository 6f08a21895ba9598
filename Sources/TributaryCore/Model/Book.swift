/// An order-book snapshot: price levels, best first on each side.
public struct Book: Sendable, Hashable {
    /// One price level: the price and the size resting there.
    public struct Level: Sendable, Hashable {
        public var price: ExactDecimal
        public var size: ExactDecimal
        public init(price: ExactDecimal, size: ExactDecimal) {
            self.price = price
            self.size = size
        }
    }

    public var asOf: UTCTimestamp
    /// Highest price first.
    public var bids: [Level]
    /// Lowest price first.
    public var asks: [Level]

    public init(asOf: UTCTimestamp, bids: [Level], asks: [Level]) {
        self.asOf = asOf
        self.bids = bids
        self.asks = asks
    }
}
