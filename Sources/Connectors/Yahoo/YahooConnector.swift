import TributaryCore

/// Yahoo Finance's unofficial API (`https://query1.finance.yahoo.com`). No key.
///
/// Endpoints: `chart` (`/v8/finance/chart/{T}`: bars as parallel arrays under
/// `indicators.quote[0]`; a weekend range has no `timestamp` key and gives no bars; a bar
/// with nulls — no trades — is skipped; `meta` describes today's market and is not used for
/// historical bars) and `quote` (`/v7/finance/quote`). Yahoo's quote endpoint needs a session
/// crumb and cookie: set `YAHOO_CRUMB` and `YAHOO_COOKIE` from a browser session, otherwise
/// Yahoo answers 401 and the error says so. Prices are kept exactly as Yahoo writes them
/// (its chart values carry float32 noise such as 74.05999755859375).
public struct YahooConnector: Connector {
    public let id: SourceID = "yahoo"
    public var baseURL: String
    public var crumb: String?
    public var cookie: String?
    public var connectTimeout: Duration
    public var totalTimeout: Duration

    public static let defaultBaseURL = "https://query1.finance.yahoo.com"
    static let intervals: Set<String> = ["1m", "2m", "5m", "15m", "30m", "60m", "90m", "1h", "1d", "5d", "1wk", "1mo", "3mo"]
    static let ranges: Set<String> = ["1d", "5d", "1mo", "3mo", "6mo", "1y", "2y", "5y", "10y", "ytd", "max"]

    public init(
        baseURL: String = YahooConnector.defaultBaseURL, crumb: String? = nil, cookie: String? = nil,
        connectTimeout: Duration = .seconds(2), totalTimeout: Duration = .seconds(10)
    ) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.crumb = crumb
        self.cookie = cookie
        self.connectTimeout = connectTimeout
        self.totalTimeout = totalTimeout
    }

    public var endpoints: [EndpointDescription] {
        [
            EndpointDescription(
                name: "chart", kind: .bar, needsSymbol: true, summary: "bars (GET /v8/finance/chart/{T})",
                parameters: ["interval": "1d", "range": "1mo"]),
            EndpointDescription(
                name: "quote", kind: .quote, needsSymbol: true, summary: "quotes (GET /v7/finance/quote); needs YAHOO_CRUMB and YAHOO_COOKIE",
                credentials: ["YAHOO_CRUMB", "YAHOO_COOKIE"]),
        ]
    }

    public func request(for call: EndpointCall, at now: UTCTimestamp) throws(ConnectorError) -> HTTPRequest {
        let description = try describe(call.endpoint)
        try ConnectorSupport.checkParameters(call, allowed: description.parameters, source: id)
        let tickers = try call.symbols.map { (symbol) throws(ConnectorError) in try EquitySymbol.venue(symbol, source: id) }
        var headers: HTTPHeaders = ["Accept": "application/json", "User-Agent": "Mozilla/5.0 (tributary)"]
        if call.endpoint == "chart" {
            guard tickers.count == 1 else {
                throw ConnectorError(.invalidArgument, source: id, "chart takes exactly one --symbol (e.g. AAPL), got \(tickers.count)")
            }
            let interval = call.parameters["interval"] ?? "1d", range = call.parameters["range"] ?? "1mo"
            guard Self.intervals.contains(interval) else {
                throw ConnectorError(
                    .invalidArgument, source: id, "interval '\(interval)' is not one Yahoo serves: \(Self.intervals.sorted().joined(separator: " "))")
            }
            guard Self.ranges.contains(range) else {
                throw ConnectorError(.invalidArgument, source: id, "range '\(range)' is not one Yahoo serves: \(Self.ranges.sorted().joined(separator: " "))")
            }
            return HTTPRequest(
                url: "\(baseURL)/v8/finance/chart/\(tickers[0])?interval=\(interval)&range=\(range)&includePrePost=false",
                headers: headers, connectTimeout: connectTimeout, totalTimeout: totalTimeout)
        }
        guard !tickers.isEmpty else { throw ConnectorError(.invalidArgument, source: id, "quote needs --symbol (e.g. AAPL)") }
        var url = "\(baseURL)/v7/finance/quote?symbols=\(tickers.joined(separator: ","))"
        if let crumb { url += "&crumb=\(crumb)" }
        if let cookie { headers.add(name: "Cookie", value: cookie) }
        return HTTPRequest(url: url, headers: headers, connectTimeout: connectTimeout, totalTimeout: totalTimeout)
    }

    public func decode(_ response: HTTPResponse, for call: EndpointCall, receivedAt: UTCTimestamp) throws(ConnectorError) -> [Record] {
        let root = call.endpoint == "chart" ? "chart" : "quoteResponse"
        let json = try ConnectorSupport.json(response, source: id, endpoint: call.endpoint, errorMessageKey: "message") {
            (body, status, source) throws(ConnectorError) in try YahooErrorBody.check(body, status: status, source: source, root: root)
        }
        return call.endpoint == "chart"
            ? try YahooChart.records(json, source: id, interval: call.parameters["interval"] ?? "1d")
            : try YahooQuote.records(json, source: id)
    }
}
