import TributaryCore

/// Coinbase Exchange's public market data (`https://api.exchange.coinbase.com`).
///
/// Endpoints: `ticker` (`GET /products/{id}/ticker`: last trade, best bid/ask, 24 h volume) and
/// `candles` (`GET /products/{id}/candles?granularity=…`: bars, whose rows are
/// `[time, low, high, open, close, volume]` — not OHLC order — with JSON numbers).
/// Product ids are already canonical pairs (`BTC-USDT`).
public struct CoinbaseConnector: Connector {
    public let id: SourceID = "coinbase"
    public var baseURL: String
    public var connectTimeout: Duration
    public var totalTimeout: Duration

    public static let defaultBaseURL = "https://api.exchange.coinbase.com"
    /// Intervals Coinbase serves, as granularity seconds.
    public static let granularities: [String: Int] = ["1m": 60, "5m": 300, "15m": 900, "1h": 3_600, "6h": 21_600, "1d": 86_400]

    public init(baseURL: String = CoinbaseConnector.defaultBaseURL, connectTimeout: Duration = .seconds(2), totalTimeout: Duration = .seconds(10)) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.connectTimeout = connectTimeout
        self.totalTimeout = totalTimeout
    }

    public var endpoints: [EndpointDescription] {
        [
            EndpointDescription(name: "ticker", kind: .quote, needsSymbol: true, summary: "last trade and best bid/ask (GET /products/{id}/ticker)"),
            EndpointDescription(
                name: "candles", kind: .bar, needsSymbol: true, summary: "bars (GET /products/{id}/candles)",
                parameters: ["interval": "1h", "start": "", "end": ""]),
        ]
    }

    public func request(for call: EndpointCall, at now: UTCTimestamp) throws(ConnectorError) -> HTTPRequest {
        let description = try describe(call.endpoint)
        try ConnectorSupport.checkParameters(call, allowed: description.parameters, source: id)
        guard call.symbols.count == 1 else {
            throw ConnectorError(
                .invalidArgument, source: id, "\(call.endpoint) takes exactly one --symbol (a product such as BTC-USD), got \(call.symbols.count)")
        }
        let product = try Self.product(call.symbols[0])
        switch call.endpoint {
        case "ticker":
            return get("/products/\(product)/ticker", nil)
        default:
            let interval = call.parameters["interval"] ?? "1h"
            guard let granularity = Self.granularities[interval] else {
                throw ConnectorError(
                    .invalidArgument, source: id,
                    "interval '\(interval)' is not one Coinbase serves: \(Self.granularities.keys.sorted().joined(separator: " "))")
            }
            var query = "granularity=\(granularity)"
            if let start = call.parameters["start"] { query += "&start=\(try ConnectorSupport.rfc3339(start, "start", source: id))" }
            if let end = call.parameters["end"] { query += "&end=\(try ConnectorSupport.rfc3339(end, "end", source: id))" }
            return get("/products/\(product)/candles", query)
        }
    }

    public func decode(_ response: HTTPResponse, for call: EndpointCall, receivedAt: UTCTimestamp) throws(ConnectorError) -> [Record] {
        let json = try ConnectorSupport.json(response, source: id, endpoint: call.endpoint, errorMessageKey: "message")
        let product = try Self.product(call.symbols.first ?? "")
        switch call.endpoint {
        case "ticker":
            let fields = FieldReader(json: json, source: id, context: "ticker")
            let timeText = try fields.string("time")
            guard let time = UTCTimestamp(rfc3339: timeText) else {
                throw ConnectorError(.decode, source: id, "ticker: field 'time' is '\(timeText)', expected an RFC 3339 time")
            }
            let quote = Quote(
                asOf: time, last: try fields.decimal("price"), bid: try fields.optionalDecimal("bid"), ask: try fields.optionalDecimal("ask"),
                volume: try fields.optionalDecimal("volume"), currency: Instrument.split(product)?.quote)
            return [Record(source: id, endpoint: call.endpoint, symbol: product, venueSymbol: product, payload: .quote(quote))]
        default:
            let reader = PositionalRows(source: id, endpoint: "candles", layout: "[time, low, high, open, close, volume]")
            let interval = call.parameters["interval"] ?? "1h"
            return try reader.rows(of: json).enumerated().map { (index, value) throws(ConnectorError) in
                let row = try reader.row(value, at: index, minimumFields: 6)
                let bar = Bar(
                    interval: interval, start: try row.time(0, .seconds, "time"), open: try row.decimal(3, "open"), high: try row.decimal(2, "high"),
                    low: try row.decimal(1, "low"), close: try row.decimal(4, "close"), volume: try row.decimal(5, "volume"))
                return Record(source: id, endpoint: call.endpoint, symbol: product, venueSymbol: product, payload: .bar(bar))
            }
        }
    }

    /// `BTC-USD`, `btc/usd` or `BTCUSD` → `BTC-USD`.
    static func product(_ symbol: String) throws(ConnectorError) -> String {
        if let (base, quote) = Instrument.split(symbol) { return "\(base)-\(quote)" }
        if let pair = Instrument.pair(fromConcatenated: symbol) { return pair }
        throw ConnectorError(.invalidArgument, source: "coinbase", "'\(symbol)' is not a Coinbase product (expected BASE-QUOTE, e.g. BTC-USD)")
    }

    private func get(_ path: String, _ query: String?) -> HTTPRequest {
        HTTPRequest(
            url: baseURL + path + (query.map { "?" + $0 } ?? ""), headers: ["Accept": "application/json"],
            connectTimeout: connectTimeout, totalTimeout: totalTimeout)
    }
}
