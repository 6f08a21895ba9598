import TributaryCore

/// Finnhub (`https://finnhub.io/api/v1`), keyed by `FINNHUB_API_KEY` (sent as `X-Finnhub-Token`).
///
/// Endpoints: `quote` (`/quote`; an unknown symbol answers 200 with every field 0 and
/// `t: 0`, which is reported as no data, never as a price of 0), `candles` (`/stock/candle`,
/// parallel arrays `t/o/h/l/c/v`, `s: "no_data"` for an empty range) and `news`
/// (`/company-news`, newest first).
public struct FinnhubConnector: KeyedConnector {
    public let id: SourceID = "finnhub"
    public var access: SourceAccess
    public static let defaultAccess = SourceAccess(
        baseURL: "https://finnhub.io/api/v1", keyVariable: "FINNHUB_API_KEY", connectTimeout: .seconds(2), totalTimeout: .seconds(10))

    static let resolutions: [String: (code: String, seconds: Int64)] = [
        "1m": ("1", 60), "5m": ("5", 300), "15m": ("15", 900), "30m": ("30", 1_800), "1h": ("60", 3_600),
        "1d": ("D", 86_400), "1w": ("W", 604_800), "1M": ("M", 2_592_000),
    ]

    public init(access: SourceAccess) {
        self.access = access
    }

    public var endpoints: [EndpointDescription] {
        [
            EndpointDescription(name: "quote", kind: .quote, needsSymbol: true, summary: "latest quote (GET /quote)", credentials: [keyVariable]),
            EndpointDescription(
                name: "candles", kind: .bar, needsSymbol: true, summary: "bars (GET /stock/candle); default the last 30 bars",
                parameters: ["interval": "1d", "start": "", "end": ""], credentials: [keyVariable]),
            EndpointDescription(
                name: "news", kind: .news, needsSymbol: true, summary: "company news (GET /company-news); default the last 7 days",
                parameters: ["start": "", "end": ""], credentials: [keyVariable]),
        ]
    }

    public func request(for call: EndpointCall, at now: UTCTimestamp) throws(ConnectorError) -> HTTPRequest {
        let description = try describe(call.endpoint)
        try ConnectorSupport.checkParameters(call, allowed: description.parameters, source: id)
        guard let apiKey else { throw ConnectorError(.missingCredential, source: id, "set \(keyVariable) (a free key from https://finnhub.io/register)") }
        guard call.symbols.count == 1 else {
            throw ConnectorError(.invalidArgument, source: id, "\(call.endpoint) takes exactly one --symbol (e.g. AAPL), got \(call.symbols.count)")
        }
        let symbol = try EquitySymbol.venue(call.symbols[0], source: id)
        let nowSeconds = now.millisecondsSinceEpoch / 1000
        let path: String
        var query = "symbol=\(symbol)"
        switch call.endpoint {
        case "quote":
            path = "/quote"
        case "candles":
            let interval = call.parameters["interval"] ?? "1d"
            guard let resolution = Self.resolutions[interval] else {
                throw ConnectorError(
                    .invalidArgument, source: id, "interval '\(interval)' is not one Finnhub serves: \(Self.resolutions.keys.sorted().joined(separator: " "))")
            }
            let end = try call.parameters["end"].map { (text) throws(ConnectorError) in try Self.seconds(text, "end") } ?? nowSeconds
            let start = try call.parameters["start"].map { (text) throws(ConnectorError) in try Self.seconds(text, "start") } ?? end - 30 * resolution.seconds
            path = "/stock/candle"
            query += "&resolution=\(resolution.code)&from=\(start)&to=\(end)"
        default:
            let end = call.parameters["end"] ?? String(now.rfc3339.prefix(10))
            let start = call.parameters["start"] ?? String((now.adding(seconds: -7 * 86_400) ?? now).rfc3339.prefix(10))
            for (name, value) in [("start", start), ("end", end)] where !(value.count == 10 && UTCTimestamp(rfc3339: value + "T00:00:00Z") != nil) {
                throw ConnectorError(.invalidArgument, source: id, "\(name) must be a date YYYY-MM-DD, got '\(value)'")
            }
            path = "/company-news"
            query += "&from=\(start)&to=\(end)"
        }
        return HTTPRequest(
            url: baseURL + path + "?" + query, headers: ["Accept": "application/json", "X-Finnhub-Token": apiKey],
            connectTimeout: connectTimeout, totalTimeout: totalTimeout)
    }

    public func decode(_ response: HTTPResponse, for call: EndpointCall, receivedAt: UTCTimestamp) throws(ConnectorError) -> [Record] {
        let json = try ConnectorSupport.json(response, source: id, endpoint: call.endpoint, errorMessageKey: "error", errorBody: FinnhubErrorBody.check)
        let symbol = (call.symbols.first ?? "").uppercased()
        switch call.endpoint {
        case "quote":
            let fields = FieldReader(json: json, source: id, context: "quote")
            let time = try fields.int("t")
            let last = try fields.decimal("c")
            guard time != 0 || !last.isZero else {
                throw ConnectorError(.noData, source: id, "no quote for '\(symbol)' (Finnhub answered all zeros: unknown symbol or no access)")
            }
            let quote = Quote(
                asOf: try ConnectorSupport.time(time, .seconds, at: "quote: field 't'", source: id), last: last, open: try fields.optionalDecimal("o"),
                high: try fields.optionalDecimal("h"),
                low: try fields.optionalDecimal("l"), change: try fields.optionalDecimal("d"), changePercent: try fields.optionalDecimal("dp"))
            return [Record(source: id, endpoint: call.endpoint, symbol: symbol, venueSymbol: symbol, payload: .quote(quote))]
        case "candles":
            return try FinnhubCandles.records(json, source: id, symbol: symbol, interval: call.parameters["interval"] ?? "1d")
        default:
            return try FinnhubNews.records(json, source: id, symbol: symbol)
        }
    }

    /// Epoch seconds (checked to be a representable time, so `end - 30 bars` cannot overflow), a date or an RFC 3339 time.
    static func seconds(_ text: String, _ name: String) throws(ConnectorError) -> Int64 {
        if let seconds = Int64(text), UTCTimestamp(secondsSinceEpoch: seconds) != nil { return seconds }
        if let time = UTCTimestamp(rfc3339: text) ?? UTCTimestamp(rfc3339: text + "T00:00:00Z") { return time.millisecondsSinceEpoch / 1000 }
        throw ConnectorError(.invalidArgument, source: "finnhub", "\(name) must be epoch seconds, a date or an RFC 3339 time, got '\(text)'")
    }
}
