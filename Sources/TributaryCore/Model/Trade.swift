/// One executed trade, identified by the venue's trade id.
public struct Trade: Sendable, Hashable {
    public enum Side: String, Sendable, Hashable { case buy, sell }

    public var tradeID: String
    public var time: UTCTimestamp
    public var price: ExactDecimal
    public var size: ExactDecimal
    public var side: Side?

    public init(tradeID: String, time: UTCTimestamp, price: ExactDecimal, size: ExactDecimal, side: Side? = nil) {
        self.tradeID = tradeID
        self.time = time
        self.price = price
        self.size = size
        self.side = side
    }
}
