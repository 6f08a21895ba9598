import TributaryCore

/// Polygon.io (`https://api.polygon.io`), keyed by `POLYGON_API_KEY` (sent as a Bearer token).
///
/// Endpoints: `aggs` (`/v2/aggs/ticker/{T}/range/{n}/{span}/{from}/{to}`: bars, daily bars
/// stamped at midnight New York), `prev` (`/v2/aggs/ticker/{T}/prev`: the previous session's
/// bar, stamped by Polygon at the session close, normalized here to the session's date at
/// midnight New York like `aggs`) and `last-trade` (`/v2/last/trade/{T}`: a trade whose `t` is
/// in nanoseconds, above 2^53, read as an integer from the text).
public struct PolygonConnector: KeyedConnector {
    public let id: SourceID = "polygon"
    public var access: SourceAccess
    public static let defaultAccess = SourceAccess(
        baseURL: "https://api.polygon.io", keyVariable: "POLYGON_API_KEY", connectTimeout: .seconds(2), totalTimeout: .seconds(10))

    static let spans: [String: (multiplier: Int, timespan: String, seconds: Int64)] = [
        "1m": (1, "minute", 60), "5m": (5, "minute", 300), "15m": (15, "minute", 900), "30m": (30, "minute", 1_800),
        "1h": (1, "hour", 3_600), "4h": (4, "hour", 14_400), "1d": (1, "day", 86_400), "1w": (1, "week", 604_800), "1M": (1, "month", 2_592_000),
    ]

    public init(access: SourceAccess) {
        self.access = access
    }

    public var endpoints: [EndpointDescription] {
        [
            EndpointDescription(
                name: "aggs", kind: .bar, needsSymbol: true, summary: "bars (GET /v2/aggs/ticker/…/range/…); default the last 30 days",
                parameters: ["interval": "1d", "start": "", "end": ""], credentials: [keyVariable]),
            EndpointDescription(
                name: "prev", kind: .bar, needsSymbol: true, summary: "previous session's bar (GET /v2/aggs/ticker/…/prev)", credentials: [keyVariable]),
            EndpointDescription(name: "last-trade", kind: .trade, needsSymbol: true, summary: "last trade (GET /v2/last/trade/…)", credentials: [keyVariable]),
        ]
    }

    public func request(for call: EndpointCall, at now: UTCTimestamp) throws(ConnectorError) -> HTTPRequest {
        let description = try describe(call.endpoint)
        try ConnectorSupport.checkParameters(call, allowed: description.parameters, source: id)
        guard let apiKey else { throw ConnectorError(.missingCredential, source: id, "set \(keyVariable) (a key from https://polygon.io/dashboard)") }
        guard call.symbols.count == 1 else {
            throw ConnectorError(.invalidArgument, source: id, "\(call.endpoint) takes exactly one --symbol (e.g. AAPL), got \(call.symbols.count)")
        }
        let ticker = try EquitySymbol.venue(call.symbols[0], source: id)
        let path: String
        switch call.endpoint {
        case "aggs":
            let interval = call.parameters["interval"] ?? "1d"
            guard let span = Self.spans[interval] else {
                throw ConnectorError(
                    .invalidArgument, source: id, "interval '\(interval)' is not one Polygon serves: \(Self.spans.keys.sorted().joined(separator: " "))")
            }
            let end = try date(call.parameters["end"], "end") ?? String(now.rfc3339.prefix(10))
            let start =
                try date(call.parameters["start"], "start")
                ?? String((now.adding(seconds: -30 * 86_400) ?? now).rfc3339.prefix(10))
            path = "/v2/aggs/ticker/\(ticker)/range/\(span.multiplier)/\(span.timespan)/\(start)/\(end)?adjusted=true&sort=asc&limit=50000"
        case "prev":
            path = "/v2/aggs/ticker/\(ticker)/prev?adjusted=true"
        default:
            path = "/v2/last/trade/\(ticker)"
        }
        return HTTPRequest(
            url: baseURL + path, headers: ["Accept": "application/json", "Authorization": "Bearer \(apiKey)"],
            connectTimeout: connectTimeout, totalTimeout: totalTimeout)
    }

    public func decode(_ response: HTTPResponse, for call: EndpointCall, receivedAt: UTCTimestamp) throws(ConnectorError) -> [Record] {
        let json = try ConnectorSupport.json(response, source: id, endpoint: call.endpoint, errorMessageKey: "error", errorBody: PolygonErrorBody.check)
        let symbol = (call.symbols.first ?? "").uppercased()
        switch call.endpoint {
        case "aggs", "prev":
            guard let results = json["results"]?.arrayValue else { return [] }  // no results for the range: no bars
            let interval = call.endpoint == "prev" ? "1d" : (call.parameters["interval"] ?? "1d")
            return try results.enumerated().map { (index, item) throws(ConnectorError) in
                let fields = FieldReader(json: item, source: id, context: "\(call.endpoint).results[\(index)]")
                var start = try fields.time("t", .milliseconds)
                if call.endpoint == "prev", let day = ExchangeTime.localDate(of: start, zone: "America/New_York"),
                    let midnight = ExchangeTime.utc(fromLocal: day, zone: "America/New_York")
                {
                    start = midnight
                }
                let bar = Bar(
                    interval: interval, start: start, open: try fields.decimal("o"), high: try fields.decimal("h"), low: try fields.decimal("l"),
                    close: try fields.decimal("c"), volume: try fields.optionalDecimal("v"), trades: try? fields.int("n"),
                    vwap: try fields.optionalDecimal("vw"))
                return Record(source: id, endpoint: call.endpoint, symbol: symbol, venueSymbol: symbol, payload: .bar(bar))
            }
        default:
            let fields = FieldReader(
                json: try FieldReader(json: json, source: id, context: "last-trade").value("results"), source: id, context: "last-trade.results")
            let trade = Trade(
                tradeID: try fields.string("i"), time: try fields.time("t", .nanoseconds),
                price: try fields.decimal("p"), size: try fields.decimal("s"))
            return [Record(source: id, endpoint: call.endpoint, symbol: symbol, venueSymbol: symbol, payload: .trade(trade))]
        }
    }

    private func date(_ text: String?, _ name: String) throws(ConnectorError) -> String? {
        guard let text else { return nil }
        guard text.count == 10, UTCTimestamp(rfc3339: text + "T00:00:00Z") != nil else {
            throw ConnectorError(.invalidArgument, source: id, "\(name) must be a date YYYY-MM-DD, got '\(text)'")
        }
        return text
    }
}
