import Pipeline
import TributaryCore

/// One record as the window state machines see it: when it happened, its identity and
/// content hash (for de-duplication), its sequence number if it has one, and the numbers the
/// features read.
public struct FeatureEvent: Sendable, Hashable, Codable {
    public var source: SourceID
    public var symbol: String
    /// Event time in nanoseconds since the epoch (a trade's time, a quote's `as_of`).
    public var time: Int64
    /// The record's identity (its natural key): a second event with the same key replaces the first.
    public var key: String
    public var contentHash: String
    /// A numeric trade id: ordering within equal times, and the sequence checked for holes.
    public var sequence: Int64?
    public var values: Values

    public enum Values: Sendable, Hashable, Codable {
        case trade(price: ExactDecimal, size: ExactDecimal)
        case quote(bid: ExactDecimal?, ask: ExactDecimal?, last: ExactDecimal?)
    }

    public init(source: SourceID, symbol: String, time: Int64, key: String, contentHash: String, sequence: Int64?, values: Values) {
        self.source = source
        self.symbol = symbol
        self.time = time
        self.key = key
        self.contentHash = contentHash
        self.sequence = sequence
        self.values = values
    }

    /// The event a stored or buffered record makes; nil for kinds features do not read.
    public init?(_ envelope: Envelope) {
        let record = envelope.record
        let key = envelope.identity ?? record.naturalKey
        switch record.payload {
        case .trade(let trade):
            self.init(
                source: record.source, symbol: record.symbol, time: trade.time.nanosecondsSinceEpoch, key: key,
                contentHash: envelope.provenance.contentHash, sequence: Self.sequence(trade.tradeID),
                values: .trade(price: trade.price, size: trade.size))
        case .quote(let quote):
            self.init(
                source: record.source, symbol: record.symbol, time: quote.asOf.nanosecondsSinceEpoch, key: key,
                contentHash: envelope.provenance.contentHash, sequence: nil, values: .quote(bid: quote.bid, ask: quote.ask, last: quote.last))
        default:
            return nil
        }
    }

    /// A trade id of 1–18 decimal digits as a number (venues' monotonic ids); nil otherwise.
    static func sequence(_ id: String) -> Int64? {
        let bytes = id.utf8
        guard !bytes.isEmpty, bytes.count <= 18, bytes.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        return Int64(id)
    }
}
