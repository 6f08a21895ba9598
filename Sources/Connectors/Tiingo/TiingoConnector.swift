import TributaryCore

/// Tiingo (`https://api.tiingo.com`), keyed by `TIINGO_API_KEY` (header `Authorization: Token …`).
///
/// Endpoints: `daily` (`/tiingo/daily/{T}/prices`: end-of-day bars; `date` is the trading
/// date at midnight UTC as Tiingo writes it) and `iex` (`/iex/{T}/prices`: intraday bars with
/// real UTC instants and no volume in the resampled form).
public struct TiingoConnector: KeyedConnector {
    public let id: SourceID = "tiingo"
    public var access: SourceAccess
    public static let defaultAccess = SourceAccess(
        baseURL: "https://api.tiingo.com", keyVariable: "TIINGO_API_KEY", connectTimeout: .seconds(2), totalTimeout: .seconds(15))

    static let iexIntervals: [String: String] = ["1m": "1min", "5m": "5min", "15m": "15min", "30m": "30min", "1h": "1hour", "4h": "4hour"]

    public init(access: SourceAccess) {
        self.access = access
    }

    public var endpoints: [EndpointDescription] {
        [
            EndpointDescription(
                name: "daily", kind: .bar, needsSymbol: true, summary: "end-of-day bars (GET /tiingo/daily/{T}/prices); default the last 30 days",
                parameters: ["start": "", "end": ""], credentials: [keyVariable]),
            EndpointDescription(
                name: "iex", kind: .bar, needsSymbol: true, summary: "intraday IEX bars (GET /iex/{T}/prices)",
                parameters: ["interval": "30m", "start": "", "end": ""], credentials: [keyVariable]),
        ]
    }

    public func request(for call: EndpointCall, at now: UTCTimestamp) throws(ConnectorError) -> HTTPRequest {
        let description = try describe(call.endpoint)
        try ConnectorSupport.checkParameters(call, allowed: description.parameters, source: id)
        guard let apiKey else {
            throw ConnectorError(.missingCredential, source: id, "set \(keyVariable) (a free key from https://www.tiingo.com/account/api/token)")
        }
        guard call.symbols.count == 1 else {
            throw ConnectorError(.invalidArgument, source: id, "\(call.endpoint) takes exactly one --symbol (e.g. GOOGL), got \(call.symbols.count)")
        }
        let ticker = try EquitySymbol.venue(call.symbols[0], source: id)
        for name in ["start", "end"] {
            if let value = call.parameters[name], !(value.count == 10 && UTCTimestamp(rfc3339: value + "T00:00:00Z") != nil) {
                throw ConnectorError(.invalidArgument, source: id, "\(name) must be a date YYYY-MM-DD, got '\(value)'")
            }
        }
        let today = String(now.rfc3339.prefix(10))
        let monthAgo = String((now.adding(seconds: -30 * 86_400) ?? now).rfc3339.prefix(10))
        let path: String
        if call.endpoint == "daily" {
            path =
                "/tiingo/daily/\(ticker)/prices?format=json&resampleFreq=daily&startDate=\(call.parameters["start"] ?? monthAgo)&endDate=\(call.parameters["end"] ?? today)"
        } else {
            let interval = call.parameters["interval"] ?? "30m"
            guard let code = Self.iexIntervals[interval] else {
                throw ConnectorError(
                    .invalidArgument, source: id,
                    "interval '\(interval)' is not one Tiingo IEX serves: \(Self.iexIntervals.keys.sorted().joined(separator: " "))")
            }
            path =
                "/iex/\(ticker)/prices?format=json&resampleFreq=\(code)&startDate=\(call.parameters["start"] ?? today)&endDate=\(call.parameters["end"] ?? today)"
        }
        return HTTPRequest(
            url: baseURL + path, headers: ["Accept": "application/json", "Authorization": "Token \(apiKey)"],
            connectTimeout: connectTimeout, totalTimeout: totalTimeout)
    }

    public func decode(_ response: HTTPResponse, for call: EndpointCall, receivedAt: UTCTimestamp) throws(ConnectorError) -> [Record] {
        let json = try ConnectorSupport.json(response, source: id, endpoint: call.endpoint, errorMessageKey: "detail")
        guard case .array(let rows) = json else {
            throw ConnectorError(.decode, source: id, "\(call.endpoint): expected an array of bars, got \(json.typeName)")
        }
        let symbol = (call.symbols.first ?? "").uppercased()
        let interval = call.endpoint == "daily" ? "1d" : (call.parameters["interval"] ?? "30m")
        return try rows.enumerated().map { (index, row) throws(ConnectorError) in
            let fields = FieldReader(json: row, source: id, context: "\(call.endpoint)[\(index)]")
            let dateText = try fields.string("date")
            guard let start = UTCTimestamp(rfc3339: dateText) else {
                throw ConnectorError(.decode, source: id, "\(call.endpoint)[\(index)]: field 'date' is '\(dateText)', expected an RFC 3339 time")
            }
            let bar = Bar(
                interval: interval, start: start, open: try fields.decimal("open"), high: try fields.decimal("high"), low: try fields.decimal("low"),
                close: try fields.decimal("close"), volume: try fields.optionalDecimal("volume"))
            return Record(source: id, endpoint: call.endpoint, symbol: symbol, venueSymbol: symbol, payload: .bar(bar))
        }
    }
}
