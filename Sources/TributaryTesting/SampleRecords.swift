import Foundation
import TributaryCore

/// One record of every kind with every optional field set, and provenance of every source type,
/// so a store test can prove each column and provenance field survives a round trip.
public enum SampleRecords {
    static func d(_ text: String) -> ExactDecimal {
        // The literals below are valid decimals; a typo here fails every store test at once.
        (try? ExactDecimal(parsing: text)) ?? ExactDecimal(0)
    }

    public static let time = UTCTimestamp(nanosecondsSinceEpoch: 1_700_000_000_123_456_789)

    /// Records of each kind for `symbol`, their times shifted by `offsetSeconds`.
    public static func records(source: SourceID = "acme", symbol: String = "BTC-USDT", offsetSeconds: Int64 = 0) -> [Record] {
        let t = time.adding(seconds: offsetSeconds) ?? time
        func record(_ endpoint: String, _ payload: Record.Payload, symbol: String = symbol) -> Record {
            Record(source: source, endpoint: endpoint, symbol: symbol, venueSymbol: symbol.replacingOccurrences(of: "-", with: ""), payload: payload)
        }
        return [
            record(
                "ticker",
                .quote(
                    Quote(
                        asOf: t, last: d("95000.10"), bid: d("95000.05"), ask: d("95000.15"), bidSize: d("0.5"), askSize: d("1.25000000"),
                        open: d("94000"), high: d("96000.5"), low: d("93000.25"), volume: d("1234.5678"), quoteVolume: d("117283950.1234"),
                        change: d("-12.5"), changePercent: d("-0.0132"), currency: "USDT"))),
            record(
                "klines",
                .bar(
                    Bar(
                        interval: "1m", start: t, open: d("1.50"), high: d("2"), low: d("1.25"), close: d("1.75"),
                        volume: d("10.000"), trades: 42, vwap: d("1.6125")))),
            record("trades", .trade(Trade(tradeID: "caf\u{e9}-42", time: t, price: d("95000.1"), size: d("0.00100000"), side: .sell))),
            record(
                "depth",
                .book(
                    Book(
                        asOf: t, bids: [.init(price: d("1"), size: d("2")), .init(price: d("0.99"), size: d("3.5"))],
                        asks: [.init(price: d("1.01"), size: d("4"))]))),
            record(
                "news",
                .news(
                    News(
                        id: "n-1", headline: "Tributary \"ships\"\ttoday", summary: "a\nb", url: "https://example.com/n/1",
                        publisher: "Example", publishedAt: t, symbols: ["BTC-USDT", "ETH-USDT"], sentiment: d("0.25")))),
            record("observations", .observation(Observation(series: "GDP", date: "2024-01-01", value: d("27956.998"))), symbol: "GDP"),
            record("observations", .observation(Observation(series: "GDP", date: "2024-04-01", value: nil)), symbol: "GDP"),
            record("account", .balance(Balance(asset: "BTC", free: d("0.5"), locked: d("0")))),
        ]
    }

    /// The records with REST provenance (request id, transformations, redacted URI).
    public static func rest(source: SourceID = "acme", symbol: String = "BTC-USDT", offsetSeconds: Int64 = 0) -> [Envelope] {
        records(source: source, symbol: symbol, offsetSeconds: offsetSeconds).map {
            Envelope.rest(
                $0, sourceURI: "https://api.example.com/v1/x?symbol=\($0.venueSymbol)&apikey=s3cret", observedAt: time,
                requestID: "req-1", transformations: ["decode:acme", "normalize:v1"], ingestedAt: time)
        }
    }

    /// The records as an import would stamp them: file source type, parent, batch id, classification.
    public static func file(source: SourceID = "acme") -> [Envelope] {
        rest(source: source).map { envelope in
            var e = envelope
            e.provenance.sourceType = .file
            e.provenance.sourceURI = "file:///data/tape.csv"
            e.provenance.parentID = "sha256:" + String(repeating: "ab", count: 32)
            e.provenance.batchID = "abc-0"
            e.provenance.classification = "internal"
            e.provenance.purpose = "research"
            e.provenance.transformations = ["import:csv", "line:2"]
            return e
        }
    }
}
