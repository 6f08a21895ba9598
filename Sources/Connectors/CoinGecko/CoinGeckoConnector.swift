import Foundation
import TributaryCore

/// CoinGecko's public API v3 (`https://api.coingecko.com/api/v3`), with an optional demo key.
///
/// Endpoints: `price` (`/simple/price`: price, market cap, 24 h volume and change, as-of per
/// coin) and `markets` (`/coins/markets`: the same plus 24 h high/low). CoinGecko names coins
/// by id (`bitcoin`); `--symbol` takes an id or a ticker it knows (BTC → bitcoin). Prices are
/// JSON numbers (sometimes in exponent notation) and are read exactly from their text.
public struct CoinGeckoConnector: Connector {
    public let id: SourceID = "coingecko"
    public var baseURL: String
    public var apiKey: String?
    public var connectTimeout: Duration
    public var totalTimeout: Duration

    public static let defaultBaseURL = "https://api.coingecko.com/api/v3"

    public init(
        baseURL: String = CoinGeckoConnector.defaultBaseURL, apiKey: String? = nil, connectTimeout: Duration = .seconds(2),
        totalTimeout: Duration = .seconds(10)
    ) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.apiKey = apiKey
        self.connectTimeout = connectTimeout
        self.totalTimeout = totalTimeout
    }

    public var endpoints: [EndpointDescription] {
        [
            EndpointDescription(
                name: "price", kind: .quote, needsSymbol: true, summary: "price, market cap, 24 h volume and change (GET /simple/price)",
                parameters: ["vs": "usd"]),
            EndpointDescription(
                name: "markets", kind: .quote, needsSymbol: false, summary: "market table (GET /coins/markets); no symbol = top 100 by market cap",
                parameters: ["vs": "usd", "per_page": "100"]),
        ]
    }

    public func request(for call: EndpointCall, at now: UTCTimestamp) throws(ConnectorError) -> HTTPRequest {
        let description = try describe(call.endpoint)
        try ConnectorSupport.checkParameters(call, allowed: description.parameters, source: id)
        let vs = (call.parameters["vs"] ?? "usd").lowercased()
        guard !vs.isEmpty, vs.allSatisfy({ $0.isLetter }) else {
            throw ConnectorError(.invalidArgument, source: id, "vs must be a currency code such as usd, got '\(vs)'")
        }
        let ids = try call.symbols.map { (symbol) throws(ConnectorError) in try Self.coinID(symbol) }
        switch call.endpoint {
        case "price":
            guard !ids.isEmpty else {
                throw ConnectorError(.invalidArgument, source: id, "price needs --symbol (a coin id such as bitcoin, or a ticker such as BTC)")
            }
            return get(
                "/simple/price",
                "ids=\(ids.joined(separator: ","))&vs_currencies=\(vs)&include_market_cap=true&include_24hr_vol=true&include_24hr_change=true&include_last_updated_at=true"
            )
        default:
            let perPage = call.parameters["per_page"] ?? "100"
            guard let count = Int(perPage), (1...250).contains(count) else {
                throw ConnectorError(.invalidArgument, source: id, "per_page must be 1…250, got '\(perPage)'")
            }
            var query = "vs_currency=\(vs)&order=market_cap_desc&per_page=\(count)&page=1&sparkline=false"
            if !ids.isEmpty { query += "&ids=\(ids.joined(separator: ","))" }
            return get("/coins/markets", query)
        }
    }

    public func decode(_ response: HTTPResponse, for call: EndpointCall, receivedAt: UTCTimestamp) throws(ConnectorError) -> [Record] {
        let json = try ConnectorSupport.json(response, source: id, endpoint: call.endpoint, errorMessageKey: "error", errorBody: CoinGeckoErrorBody.check)
        let vs = (call.parameters["vs"] ?? "usd").lowercased()
        let currency = vs.uppercased()
        switch call.endpoint {
        case "price":
            guard case .object(let coins) = json else {
                throw ConnectorError(.decode, source: id, "price: expected an object keyed by coin id, got \(json.typeName)")
            }
            return try coins.members.map { (coin, value) throws(ConnectorError) in
                let fields = FieldReader(json: value, source: id, context: "price.\(coin)")
                guard let updated = try? fields.int("last_updated_at") else {
                    throw ConnectorError(.decode, source: id, "price.\(coin): field 'last_updated_at' is missing; request it with include_last_updated_at=true")
                }
                let quote = Quote(
                    asOf: try ConnectorSupport.time(updated, .seconds, at: "price.\(coin): field 'last_updated_at'", source: id), last: try fields.decimal(vs),
                    quoteVolume: try fields.optionalDecimal("\(vs)_24h_vol"), changePercent: try fields.optionalDecimal("\(vs)_24h_change"),
                    currency: currency)
                return Record(
                    source: id, endpoint: call.endpoint, symbol: "\(Self.ticker(coin))-\(currency)", venueSymbol: "\(coin)/\(vs)", payload: .quote(quote))
            }
        default:
            guard case .array(let rows) = json else { throw ConnectorError(.decode, source: id, "markets: expected an array, got \(json.typeName)") }
            return try rows.enumerated().map { (index, row) throws(ConnectorError) in
                let fields = FieldReader(json: row, source: id, context: "markets[\(index)]")
                let coin = try fields.string("id")
                let updatedText = try fields.string("last_updated")
                guard let updated = UTCTimestamp(rfc3339: updatedText) else {
                    throw ConnectorError(.decode, source: id, "markets[\(index)]: field 'last_updated' is '\(updatedText)', expected an RFC 3339 time")
                }
                let ticker = (try? fields.string("symbol"))?.uppercased() ?? Self.ticker(coin)
                let quote = Quote(
                    asOf: updated, last: try fields.decimal("current_price"), high: try fields.optionalDecimal("high_24h"),
                    low: try fields.optionalDecimal("low_24h"), quoteVolume: try fields.optionalDecimal("total_volume"),
                    change: try fields.optionalDecimal("price_change_24h"), changePercent: try fields.optionalDecimal("price_change_percentage_24h"),
                    currency: currency)
                return Record(source: id, endpoint: call.endpoint, symbol: "\(ticker)-\(currency)", venueSymbol: "\(coin)/\(vs)", payload: .quote(quote))
            }
        }
    }

    static func coinID(_ symbol: String) throws(ConnectorError) -> String {
        let trimmed = symbol.trimmingCharacters(in: .whitespaces)
        let base = Instrument.split(trimmed)?.base ?? trimmed
        if let id = Instrument.coinGeckoIDs[base.uppercased()] { return id }
        let lower = base.lowercased()
        guard !lower.isEmpty, lower.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }) else {
            throw ConnectorError(.invalidArgument, source: "coingecko", "'\(symbol)' is not a CoinGecko coin id (e.g. bitcoin) or a known ticker")
        }
        return lower
    }

    static func ticker(_ coinID: String) -> String { Instrument.ticker(ofCoinGeckoID: coinID) }

    private func get(_ path: String, _ query: String) -> HTTPRequest {
        var headers: HTTPHeaders = ["Accept": "application/json"]
        if let apiKey { headers.add(name: "x-cg-demo-api-key", value: apiKey) }
        return HTTPRequest(url: baseURL + path + "?" + query, headers: headers, connectTimeout: connectTimeout, totalTimeout: totalTimeout)
    }
}
