import TributaryCore

/// Financial Modeling Prep's stable API (`https://financialmodelingprep.com/stable`), keyed by
/// `FMP_API_KEY` (query parameter `apikey`, as FMP requires).
///
/// Endpoint: `quote` (`/quote?symbol=`): an array even for one symbol; as-of is `timestamp`.
/// A spent plan answers `{"Error Message": "Limit Reach . …"}`, reported as a spent quota.
public struct FMPConnector: KeyedConnector {
    public let id: SourceID = "fmp"
    public var access: SourceAccess
    public static let defaultAccess = SourceAccess(
        baseURL: "https://financialmodelingprep.com/stable", keyVariable: "FMP_API_KEY", connectTimeout: .seconds(2), totalTimeout: .seconds(10))

    public init(access: SourceAccess) {
        self.access = access
    }

    public var endpoints: [EndpointDescription] {
        [EndpointDescription(name: "quote", kind: .quote, needsSymbol: true, summary: "latest quote (GET /quote)", credentials: [keyVariable])]
    }

    public func request(for call: EndpointCall, at now: UTCTimestamp) throws(ConnectorError) -> HTTPRequest {
        let description = try describe(call.endpoint)
        try ConnectorSupport.checkParameters(call, allowed: description.parameters, source: id)
        guard let apiKey else {
            throw ConnectorError(.missingCredential, source: id, "set \(keyVariable) (a key from https://site.financialmodelingprep.com/developer/docs)")
        }
        guard call.symbols.count == 1 else {
            throw ConnectorError(.invalidArgument, source: id, "quote takes exactly one --symbol (e.g. AAPL), got \(call.symbols.count)")
        }
        let symbol = try EquitySymbol.venue(call.symbols[0], source: id)
        return HTTPRequest(
            url: "\(baseURL)/quote?symbol=\(symbol)&apikey=\(apiKey)", headers: ["Accept": "application/json"],
            connectTimeout: connectTimeout, totalTimeout: totalTimeout)
    }

    public func decode(_ response: HTTPResponse, for call: EndpointCall, receivedAt: UTCTimestamp) throws(ConnectorError) -> [Record] {
        let json = try ConnectorSupport.json(response, source: id, endpoint: call.endpoint, errorMessageKey: "Error Message", errorBody: FMPErrorBody.check)
        guard case .array(let items) = json else { throw ConnectorError(.decode, source: id, "quote: expected an array, got \(json.typeName)") }
        if items.isEmpty { throw ConnectorError(.noData, source: id, "no quote for '\(call.symbols.first ?? "")' (empty answer: unknown symbol)") }
        return try items.enumerated().map { (index, item) throws(ConnectorError) in
            let fields = FieldReader(json: item, source: id, context: "quote[\(index)]")
            let symbol = try fields.string("symbol")
            // The stable API says changePercentage; the legacy v3 API said changesPercentage.
            let percent = try fields.optionalDecimal("changePercentage")
            let legacyPercent = try fields.optionalDecimal("changesPercentage")
            let quote = Quote(
                asOf: try fields.time("timestamp", .seconds), last: try fields.decimal("price"), open: try fields.optionalDecimal("open"),
                high: try fields.optionalDecimal("dayHigh"), low: try fields.optionalDecimal("dayLow"), volume: try fields.optionalDecimal("volume"),
                change: try fields.optionalDecimal("change"),
                changePercent: percent ?? legacyPercent)
            return Record(source: id, endpoint: call.endpoint, symbol: symbol, venueSymbol: symbol, payload: .quote(quote))
        }
    }
}
