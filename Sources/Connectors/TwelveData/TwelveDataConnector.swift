import TributaryCore

/// Twelve Data (`https://api.twelvedata.com`), keyed by `TWELVEDATA_API_KEY` (header `Authorization: apikey …`).
///
/// Endpoints: `quote` (`/quote`; as-of is `timestamp`) and `time-series` (`/time_series`;
/// `datetime` is exchange-local without offset, converted with `meta.exchange_timezone`).
/// Errors may come with HTTP 200 as `{"status":"error","code":429,…}`.
public struct TwelveDataConnector: KeyedConnector {
    public let id: SourceID = "twelvedata"
    public var access: SourceAccess
    public static let defaultAccess = SourceAccess(
        baseURL: "https://api.twelvedata.com", keyVariable: "TWELVEDATA_API_KEY", connectTimeout: .seconds(2), totalTimeout: .seconds(10))

    static let intervals: [String: String] = [
        "1m": "1min", "5m": "5min", "15m": "15min", "30m": "30min", "45m": "45min", "1h": "1h", "2h": "2h", "4h": "4h", "1d": "1day", "1w": "1week",
        "1M": "1month",
    ]

    public init(access: SourceAccess) {
        self.access = access
    }

    public var endpoints: [EndpointDescription] {
        [
            EndpointDescription(name: "quote", kind: .quote, needsSymbol: true, summary: "latest quote (GET /quote)", credentials: [keyVariable]),
            EndpointDescription(
                name: "time-series", kind: .bar, needsSymbol: true, summary: "bars (GET /time_series)",
                parameters: ["interval": "1m", "limit": "30"], credentials: [keyVariable]),
        ]
    }

    public func request(for call: EndpointCall, at now: UTCTimestamp) throws(ConnectorError) -> HTTPRequest {
        let description = try describe(call.endpoint)
        try ConnectorSupport.checkParameters(call, allowed: description.parameters, source: id)
        guard let apiKey else { throw ConnectorError(.missingCredential, source: id, "set \(keyVariable) (a free key from https://twelvedata.com/register)") }
        guard call.symbols.count == 1 else {
            throw ConnectorError(.invalidArgument, source: id, "\(call.endpoint) takes exactly one --symbol (e.g. AAPL), got \(call.symbols.count)")
        }
        let symbol = try EquitySymbol.venue(call.symbols[0], source: id)
        let query: String
        if call.endpoint == "quote" {
            query = "/quote?symbol=\(symbol)"
        } else {
            let interval = call.parameters["interval"] ?? "1m"
            guard let code = Self.intervals[interval] else {
                throw ConnectorError(
                    .invalidArgument, source: id, "interval '\(interval)' is not one Twelve Data serves: \(Self.intervals.keys.sorted().joined(separator: " "))"
                )
            }
            let limit = call.parameters["limit"] ?? "30"
            guard let size = Int(limit), (1...5_000).contains(size) else {
                throw ConnectorError(.invalidArgument, source: id, "limit must be 1…5000, got '\(limit)'")
            }
            query = "/time_series?symbol=\(symbol)&interval=\(code)&outputsize=\(size)"
        }
        return HTTPRequest(
            url: baseURL + query, headers: ["Accept": "application/json", "Authorization": "apikey \(apiKey)"],
            connectTimeout: connectTimeout, totalTimeout: totalTimeout)
    }

    public func decode(_ response: HTTPResponse, for call: EndpointCall, receivedAt: UTCTimestamp) throws(ConnectorError) -> [Record] {
        let json = try ConnectorSupport.json(response, source: id, endpoint: call.endpoint, errorMessageKey: "message", errorBody: TwelveDataErrorBody.check)
        let symbol = (call.symbols.first ?? "").uppercased()
        if call.endpoint == "quote" {
            let fields = FieldReader(json: json, source: id, context: "quote")
            let venue = (try? fields.string("symbol")) ?? symbol
            let quote = Quote(
                asOf: try fields.time("timestamp", .seconds), last: try fields.decimal("close"), open: try fields.optionalDecimal("open"),
                high: try fields.optionalDecimal("high"), low: try fields.optionalDecimal("low"), volume: try fields.optionalDecimal("volume"),
                change: try fields.optionalDecimal("change"), changePercent: try fields.optionalDecimal("percent_change"),
                currency: try? fields.string("currency"))
            return [Record(source: id, endpoint: call.endpoint, symbol: venue, venueSymbol: venue, payload: .quote(quote))]
        }
        let zone = json["meta"]?["exchange_timezone"]?.stringValue ?? "America/New_York"
        guard let values = json["values"]?.arrayValue else {
            throw ConnectorError(.decode, source: id, "time-series: field 'values' is missing or not an array")
        }
        let interval = call.parameters["interval"] ?? "1m"
        return try values.enumerated().reversed().map { (index, item) throws(ConnectorError) in
            let fields = FieldReader(json: item, source: id, context: "time-series.values[\(index)]")
            let local = try fields.string("datetime")
            guard let start = ExchangeTime.utc(fromLocal: local, zone: zone) else {
                throw ConnectorError(.decode, source: id, "time-series.values[\(index)]: datetime '\(local)' is not a local time in \(zone)")
            }
            let bar = Bar(
                interval: interval, start: start, open: try fields.decimal("open"), high: try fields.decimal("high"), low: try fields.decimal("low"),
                close: try fields.decimal("close"), volume: try fields.optionalDecimal("volume"))
            return Record(source: id, endpoint: call.endpoint, symbol: symbol, venueSymbol: symbol, payload: .bar(bar))
        }
    }
}
