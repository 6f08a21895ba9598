import TributaryCore

/// Kraken's public REST API (`https://api.kraken.com/0/public`).
///
/// Endpoints: `ticker` (`Ticker?pair=`) and `ohlc` (`OHLC?pair=&interval=`). Kraken answers
/// errors with HTTP 200 and a non-empty `error` array; its result key may differ from the
/// requested pair (`XBTUSD` → `XXBTZUSD`), so the single entry is read by position. Kraken
/// writes BTC as XBT; canonical symbols use BTC.
public struct KrakenConnector: Connector {
    public let id: SourceID = "kraken"
    public var baseURL: String
    public var connectTimeout: Duration
    public var totalTimeout: Duration

    public static let defaultBaseURL = "https://api.kraken.com"
    /// Intervals Kraken serves, in minutes.
    public static let intervals: [String: Int] = ["1m": 1, "5m": 5, "15m": 15, "30m": 30, "1h": 60, "4h": 240, "1d": 1_440, "1w": 10_080, "15d": 21_600]

    public init(baseURL: String = KrakenConnector.defaultBaseURL, connectTimeout: Duration = .seconds(2), totalTimeout: Duration = .seconds(10)) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.connectTimeout = connectTimeout
        self.totalTimeout = totalTimeout
    }

    public var endpoints: [EndpointDescription] {
        [
            EndpointDescription(name: "ticker", kind: .quote, needsSymbol: true, summary: "last trade, best bid/ask, 24 h figures (GET /0/public/Ticker)"),
            EndpointDescription(
                name: "ohlc", kind: .bar, needsSymbol: true, summary: "bars (GET /0/public/OHLC); the last row is the still-forming bar",
                parameters: ["interval": "1h", "since": ""]),
        ]
    }

    public func request(for call: EndpointCall, at now: UTCTimestamp) throws(ConnectorError) -> HTTPRequest {
        let description = try describe(call.endpoint)
        try ConnectorSupport.checkParameters(call, allowed: description.parameters, source: id)
        guard call.symbols.count == 1 else {
            throw ConnectorError(
                .invalidArgument, source: id, "\(call.endpoint) takes exactly one --symbol (e.g. XBTUSDT or BTC-USDT), got \(call.symbols.count)")
        }
        let pair = try Self.venuePair(call.symbols[0])
        switch call.endpoint {
        case "ticker":
            return get("/0/public/Ticker", "pair=\(pair)")
        default:
            let interval = call.parameters["interval"] ?? "1h"
            guard let minutes = Self.intervals[interval] else {
                throw ConnectorError(
                    .invalidArgument, source: id, "interval '\(interval)' is not one Kraken serves: \(Self.intervals.keys.sorted().joined(separator: " "))")
            }
            var query = "pair=\(pair)&interval=\(minutes)"
            if let since = call.parameters["since"] {
                let seconds = Int64(since) ?? UTCTimestamp(rfc3339: since).map { $0.millisecondsSinceEpoch / 1000 }
                guard let seconds else { throw ConnectorError(.invalidArgument, source: id, "since must be epoch seconds or an RFC 3339 time, got '\(since)'") }
                query += "&since=\(seconds)"
            }
            return get("/0/public/OHLC", query)
        }
    }

    public func decode(_ response: HTTPResponse, for call: EndpointCall, receivedAt: UTCTimestamp) throws(ConnectorError) -> [Record] {
        let json = try ConnectorSupport.json(response, source: id, endpoint: call.endpoint, errorMessageKey: "error", errorBody: KrakenErrorBody.check)
        guard case .object(let result)? = json["result"], let entry = result.members.first(where: { $0.key != "last" }) else {
            throw ConnectorError(.decode, source: id, "\(call.endpoint): no 'result' entry in the answer")
        }
        let venue = try Self.venuePair(call.symbols.first ?? entry.key)
        let symbol = Self.canonical(venue)
        switch call.endpoint {
        case "ticker":
            let fields = FieldReader(json: entry.value, source: id, context: "ticker")
            func element(_ key: String, _ index: Int) throws(ConnectorError) -> ExactDecimal? {
                guard let value = try fields.value(key)[index] else { return nil }
                guard let decimal = value.decimalValue else {
                    throw ConnectorError(.decode, source: id, "ticker: field '\(key)[\(index)]' is \(value.typeName), expected a decimal string")
                }
                return decimal
            }
            let quote = Quote(
                asOf: receivedAt, last: try element("c", 0), bid: try element("b", 0), ask: try element("a", 0),
                bidSize: try element("b", 2), askSize: try element("a", 2), open: try fields.optionalDecimal("o"),
                high: try element("h", 1), low: try element("l", 1), volume: try element("v", 1))
            return [Record(source: id, endpoint: call.endpoint, symbol: symbol, venueSymbol: venue, payload: .quote(quote))]
        default:
            let reader = PositionalRows(source: id, endpoint: "ohlc", layout: "[time, open, high, low, close, vwap, volume, count]")
            let interval = call.parameters["interval"] ?? "1h"
            return try reader.rows(of: entry.value).enumerated().map { (index, value) throws(ConnectorError) in
                let row = try reader.row(value, at: index, minimumFields: 8)
                let bar = Bar(
                    interval: interval, start: try row.time(0, .seconds, "time"), open: try row.decimal(1, "open"), high: try row.decimal(2, "high"),
                    low: try row.decimal(3, "low"), close: try row.decimal(4, "close"), volume: try row.decimal(6, "volume"),
                    trades: row.optionalInteger(7), vwap: try row.decimal(5, "vwap"))
                return Record(source: id, endpoint: call.endpoint, symbol: symbol, venueSymbol: venue, payload: .bar(bar))
            }
        }
    }

    /// `BTC-USDT` → `XBTUSDT`; `XBTUSDT` stays.
    static func venuePair(_ symbol: String) throws(ConnectorError) -> String {
        if let (base, quote) = Instrument.split(symbol) { return (base == "BTC" ? "XBT" : base) + (quote == "BTC" ? "XBT" : quote) }
        let upper = symbol.uppercased()
        guard !upper.isEmpty, upper.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
            throw ConnectorError(.invalidArgument, source: "kraken", "'\(symbol)' is not a Kraken pair (e.g. XBTUSDT or BTC-USDT)")
        }
        return upper
    }

    /// `XBTUSDT` → `BTC-USDT`, `XXBTZUSD` → `BTC-USD` (the rules live in `Instrument`).
    static func canonical(_ venue: String) -> String {
        Instrument.pair(fromConcatenated: venue) ?? venue
    }

    private func get(_ path: String, _ query: String) -> HTTPRequest {
        HTTPRequest(url: baseURL + path + "?" + query, headers: ["Accept": "application/json"], connectTimeout: connectTimeout, totalTimeout: totalTimeout)
    }
}
