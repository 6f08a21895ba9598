import TributaryCore

/// An event as a window keeps it: its time and order, its identity, and two numbers — a
/// trade's price and size, a quote's bid and ask (or its last price alone). The source and
/// symbol are the entity's, so they are not repeated per event.
struct Tick: Sendable, Hashable, Codable {
    var time: Int64
    /// The sequence number, or `Int64.min` for none (it sorts first, as a missing one does).
    var sequence: Int64
    /// The record's identity: unique within an entity's windows (the identity index replaces
    /// an earlier event with the same one), so it settles any tie of time and sequence.
    var key: String
    var first: ExactDecimal
    var second: ExactDecimal
    var shape: Shape

    enum Shape: UInt8, Sendable, Codable {
        /// first = price, second = size.
        case trade
        /// first = bid, second = ask.
        case quote
        /// first = last price (no bid and ask).
        case lastOnly
        /// Nothing a feature reads.
        case empty
    }

    init(_ event: FeatureEvent) {
        time = event.time
        sequence = event.sequence ?? .min
        key = event.key
        switch event.values {
        case .trade(let price, let size): (first, second, shape) = (price, size, .trade)
        case .quote(let bid?, let ask?, _): (first, second, shape) = (bid, ask, .quote)
        case .quote(_, _, let last?): (first, second, shape) = (last, ExactDecimal(0), .lastOnly)
        case .quote: (first, second, shape) = (ExactDecimal(0), ExactDecimal(0), .empty)
        }
    }

    /// The order ticks are applied in, whatever order they arrived in: time, then sequence,
    /// then identity bytes — total, so a window's first and last are always the same events.
    func precedes(_ other: Tick) -> Bool {
        if time != other.time { return time < other.time }
        if sequence != other.sequence { return sequence < other.sequence }
        return key.precedesByBytes(other.key)
    }
}
