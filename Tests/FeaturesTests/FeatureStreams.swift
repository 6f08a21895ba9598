import Features
import Pipeline
import TributaryCore

/// Test helpers: trades and quotes as feature events, and sets with the common defaults.
enum FeatureStreams {
    static let second: Int64 = 1_000_000_000

    static func d(_ text: String) -> ExactDecimal { try! ExactDecimal(parsing: text) }

    static func trade(
        _ id: Int64, at time: Int64, price: String, size: String = "1", symbol: String = "BTC-USDT", source: SourceID = "venue",
        hash: String? = nil
    ) -> FeatureEvent {
        FeatureEvent(
            source: source, symbol: symbol, time: time, key: String(id), contentHash: hash ?? "sha256:\(id)-\(price)-\(size)", sequence: id,
            values: .trade(price: d(price), size: d(size)))
    }

    static func quote(at time: Int64, bid: String, ask: String, symbol: String = "EUR-USD", source: SourceID = "fx") -> FeatureEvent {
        FeatureEvent(
            source: source, symbol: symbol, time: time, key: "q\(time)", contentHash: "sha256:q\(time)-\(bid)-\(ask)", sequence: nil,
            values: .quote(bid: d(bid), ask: d(ask), last: nil))
    }

    static func bars(
        _ windows: [String] = ["1s"], features: [FeatureSet.Feature] = [.ohlcv], watermark: Int64 = 5 * second, late: FeatureSet.LatePolicy = .drop,
        lateness: Int64 = 60 * second
    ) -> FeatureSet {
        var set = FeatureSet(name: "bars", version: 1, input: .init(kind: .trade), windows: windows.map { WindowSpec($0)! }, features: features)
        set.watermark = watermark
        set.late = late
        set.lateness = lateness
        return set
    }

    /// Feeds every event, returning all rows and gaps, in order.
    static func run(_ set: FeatureSet, _ events: [FeatureEvent]) -> (engine: FeatureEngine, rows: [FeatureRow], gaps: [Gap]) {
        var engine = FeatureEngine(set: set)
        var rows: [FeatureRow] = [], gaps: [Gap] = []
        for event in events {
            let output = engine.ingest(event)
            rows += output.rows
            gaps += output.gaps
        }
        return (engine, rows, gaps)
    }
}
