import TributaryCore

/// FRED, the St. Louis Fed's economic data API (`https://api.stlouisfed.org/fred`).
///
/// Endpoint: `observations` (`/series/observations`): one observation per date of a series;
/// FRED writes a missing value as `"."`, which becomes a null value, never 0. The key
/// (`FRED_API_KEY`) goes in the `api_key` query parameter, as FRED requires; provenance and
/// logs show it redacted.
public struct FREDConnector: KeyedConnector {
    public let id: SourceID = "fred"
    public var access: SourceAccess
    public static let defaultAccess = SourceAccess(
        baseURL: "https://api.stlouisfed.org/fred", keyVariable: "FRED_API_KEY", connectTimeout: .seconds(3), totalTimeout: .seconds(15))

    public init(access: SourceAccess) {
        self.access = access
    }

    public var endpoints: [EndpointDescription] {
        [
            EndpointDescription(
                name: "observations", kind: .observation, needsSymbol: true,
                summary: "a series' observations (GET /series/observations); --symbol is the series id, e.g. GDP",
                parameters: ["start": "", "end": ""], credentials: [keyVariable])
        ]
    }

    public func request(for call: EndpointCall, at now: UTCTimestamp) throws(ConnectorError) -> HTTPRequest {
        let description = try describe(call.endpoint)
        try ConnectorSupport.checkParameters(call, allowed: description.parameters, source: id)
        guard let apiKey else {
            throw ConnectorError(.missingCredential, source: id, "set \(keyVariable) (a free key from https://fred.stlouisfed.org/docs/api/api_key.html)")
        }
        guard call.symbols.count == 1, let series = call.symbols.first, !series.isEmpty,
            series.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") })
        else {
            throw ConnectorError(.invalidArgument, source: id, "observations takes exactly one --symbol: a FRED series id such as GDP or DGS10")
        }
        var query = "series_id=\(series.uppercased())&file_type=json&api_key=\(apiKey)"
        for (parameter, name) in [("start", "observation_start"), ("end", "observation_end")] {
            guard let value = call.parameters[parameter] else { continue }
            guard value.count == 10, UTCTimestamp(rfc3339: value + "T00:00:00Z") != nil else {
                throw ConnectorError(.invalidArgument, source: id, "\(parameter) must be a date YYYY-MM-DD, got '\(value)'")
            }
            query += "&\(name)=\(value)"
        }
        return HTTPRequest(
            url: "\(baseURL)/series/observations?\(query)", headers: ["Accept": "application/json"],
            connectTimeout: connectTimeout, totalTimeout: totalTimeout)
    }

    public func decode(_ response: HTTPResponse, for call: EndpointCall, receivedAt: UTCTimestamp) throws(ConnectorError) -> [Record] {
        let json = try ConnectorSupport.json(response, source: id, endpoint: call.endpoint, errorMessageKey: "error_message", errorBody: FREDErrorBody.check)
        let series = (call.symbols.first ?? "").uppercased()
        guard case .array(let observations)? = json["observations"] else {
            throw ConnectorError(.decode, source: id, "observations: field 'observations' is missing or not an array")
        }
        return try observations.enumerated().map { (index, item) throws(ConnectorError) in
            let fields = FieldReader(json: item, source: id, context: "observations[\(index)]")
            let date = try fields.string("date")
            let text = try fields.string("value")
            let value: ExactDecimal?
            if text == "." {
                value = nil
            } else if let parsed = try? ExactDecimal(parsing: text) {
                value = parsed
            } else {
                throw ConnectorError(.decode, source: id, "observations[\(index)]: field 'value' is '\(text.prefix(20))', expected a decimal or \".\"")
            }
            return Record(
                source: id, endpoint: call.endpoint, symbol: series, venueSymbol: series,
                payload: .observation(Observation(series: series, date: date, value: value)))
        }
    }
}
