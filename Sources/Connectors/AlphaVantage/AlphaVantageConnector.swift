import TributaryCore

/// Alpha Vantage (`https://www.alphavantage.co/query`), keyed by `ALPHAVANTAGE_API_KEY`.
///
/// Endpoints: `quote` (GLOBAL_QUOTE; as-of is the latest trading day's 16:00 New York close,
/// the body giving only a date), `intraday` (TIME_SERIES_INTRADAY; bars keyed by exchange-local
/// time without offset, converted with the zone the body names; JSON or CSV bodies) and `news`
/// (NEWS_SENTIMENT). Throttling and quota answers come with HTTP 200 (`Note`, `Information`)
/// and are reported as such; the free tier's 25 calls a day belong in `daily_quota`.
public struct AlphaVantageConnector: KeyedConnector {
    public let id: SourceID = "alphavantage"
    public var access: SourceAccess
    public static let defaultAccess = SourceAccess(
        baseURL: "https://www.alphavantage.co", keyVariable: "ALPHAVANTAGE_API_KEY", connectTimeout: .seconds(3), totalTimeout: .seconds(20))

    static let intervals: [String: String] = ["1m": "1min", "5m": "5min", "15m": "15min", "30m": "30min", "1h": "60min"]

    public init(access: SourceAccess) {
        self.access = access
    }

    public var endpoints: [EndpointDescription] {
        [
            EndpointDescription(
                name: "quote", kind: .quote, needsSymbol: true, summary: "latest daily quote (function=GLOBAL_QUOTE)", credentials: [keyVariable]),
            EndpointDescription(
                name: "intraday", kind: .bar, needsSymbol: true, summary: "intraday bars (function=TIME_SERIES_INTRADAY)",
                parameters: ["interval": "5m", "month": ""], credentials: [keyVariable]),
            EndpointDescription(
                name: "news", kind: .news, needsSymbol: true, summary: "news with sentiment (function=NEWS_SENTIMENT)", credentials: [keyVariable]),
        ]
    }

    public func request(for call: EndpointCall, at now: UTCTimestamp) throws(ConnectorError) -> HTTPRequest {
        let description = try describe(call.endpoint)
        try ConnectorSupport.checkParameters(call, allowed: description.parameters, source: id)
        guard let apiKey else {
            throw ConnectorError(.missingCredential, source: id, "set \(keyVariable) (a free key from https://www.alphavantage.co/support/#api-key)")
        }
        guard !call.symbols.isEmpty else { throw ConnectorError(.invalidArgument, source: id, "\(call.endpoint) needs --symbol (e.g. MSFT)") }
        let tickers = try call.symbols.map { (symbol) throws(ConnectorError) in try EquitySymbol.venue(symbol, source: id) }
        var query: String
        switch call.endpoint {
        case "quote":
            guard tickers.count == 1 else { throw ConnectorError(.invalidArgument, source: id, "quote takes one --symbol") }
            query = "function=GLOBAL_QUOTE&symbol=\(tickers[0])"
        case "intraday":
            guard tickers.count == 1 else { throw ConnectorError(.invalidArgument, source: id, "intraday takes one --symbol") }
            let interval = call.parameters["interval"] ?? "5m"
            guard let avInterval = Self.intervals[interval] else {
                throw ConnectorError(
                    .invalidArgument, source: id,
                    "interval '\(interval)' is not one Alpha Vantage serves: \(Self.intervals.keys.sorted().joined(separator: " "))")
            }
            query = "function=TIME_SERIES_INTRADAY&symbol=\(tickers[0])&interval=\(avInterval)"
            if let month = call.parameters["month"] {
                guard month.count == 7, UTCTimestamp(rfc3339: month + "-01T00:00:00Z") != nil else {
                    throw ConnectorError(.invalidArgument, source: id, "month must be YYYY-MM, got '\(month)'")
                }
                query += "&month=\(month)&outputsize=full"
            } else {
                query += "&outputsize=compact"
            }
        default:
            query = "function=NEWS_SENTIMENT&tickers=\(tickers.joined(separator: ","))"
        }
        return HTTPRequest(
            url: "\(baseURL)/query?\(query)&apikey=\(apiKey)", headers: ["Accept": "application/json"],
            connectTimeout: connectTimeout, totalTimeout: totalTimeout)
    }

    public func decode(_ response: HTTPResponse, for call: EndpointCall, receivedAt: UTCTimestamp) throws(ConnectorError) -> [Record] {
        let symbol = (call.symbols.first ?? "").uppercased()
        if call.endpoint == "intraday", response.isSuccess, response.body.starts(with: Array("timestamp,".utf8)) {
            return try AlphaVantageIntraday.fromCSV(response.bodyText, source: id, symbol: symbol, interval: call.parameters["interval"] ?? "5m")
        }
        let json = try ConnectorSupport.json(
            response, source: id, endpoint: call.endpoint, errorMessageKey: "Error Message", errorBody: AlphaVantageErrorBody.check)
        switch call.endpoint {
        case "quote":
            guard let body = json["Global Quote"], case .object(let object) = body, !object.members.isEmpty else {
                throw ConnectorError(.noData, source: id, "no quote for '\(symbol)' (empty Global Quote: unknown symbol)")
            }
            let fields = FieldReader(json: body, source: id, context: "quote")
            let day = try fields.string("07. latest trading day")
            guard let close = ExchangeTime.utc(fromLocal: day + " 16:00:00", zone: "America/New_York") else {
                throw ConnectorError(.decode, source: id, "quote: field '07. latest trading day' is '\(day)', expected YYYY-MM-DD")
            }
            // During the trading day the latest trading day is today and the price is the current
            // one: its close is still ahead, and a quote cannot be newer than its answer.
            let asOf = min(close, receivedAt)
            let percentText = try fields.string("10. change percent")
            let percent = try? ExactDecimal(parsing: percentText.hasSuffix("%") ? String(percentText.dropLast()) : percentText)
            let venue = (try? fields.string("01. symbol")) ?? symbol
            let quote = Quote(
                asOf: asOf, last: try fields.decimal("05. price"), open: try fields.optionalDecimal("02. open"), high: try fields.optionalDecimal("03. high"),
                low: try fields.optionalDecimal("04. low"), volume: try fields.optionalDecimal("06. volume"), change: try fields.optionalDecimal("09. change"),
                changePercent: percent)
            return [Record(source: id, endpoint: call.endpoint, symbol: venue, venueSymbol: venue, payload: .quote(quote))]
        case "intraday":
            return try AlphaVantageIntraday.fromJSON(json, source: id, symbol: symbol, interval: call.parameters["interval"] ?? "5m")
        default:
            return try AlphaVantageNews.records(json, source: id, symbol: symbol)
        }
    }
}
