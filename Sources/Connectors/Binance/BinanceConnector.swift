import TributaryCore

/// Binance Spot's public REST API (`https://api.binance.com`).
///
/// The exemplar connector: copy this folder's shape (connector, wire reading, mapping) when
/// adding a source. Endpoints so far: `ticker` (24 h statistics, `GET /api/v3/ticker/24hr`).
public struct BinanceConnector: Connector {
    public let id: SourceID = "binance"
    public var baseURL: String
    public var connectTimeout: Duration
    public var totalTimeout: Duration

    public static let defaultBaseURL = "https://api.binance.com"

    public init(baseURL: String = BinanceConnector.defaultBaseURL, connectTimeout: Duration = .seconds(2), totalTimeout: Duration = .seconds(10)) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.connectTimeout = connectTimeout
        self.totalTimeout = totalTimeout
    }

    public var endpoints: [EndpointDescription] {
        [EndpointDescription(name: "ticker", kind: .quote, needsSymbol: true, summary: "24 h rolling statistics (GET /api/v3/ticker/24hr)")]
    }

    public func request(for endpoint: String, symbols: [String], at now: UTCTimestamp) throws(ConnectorError) -> HTTPRequest {
        switch endpoint {
        case "ticker":
            let venueSymbols = try symbols.map { (symbol) throws(ConnectorError) in try BinanceSymbols.venueSymbol(for: symbol) }
            let query: String
            switch venueSymbols.count {
            case 0: throw ConnectorError(.invalidArgument, source: id, "ticker needs --symbol (e.g. BTCUSDT or BTC-USDT)")
            case 1: query = "symbol=\(venueSymbols[0])"
            default: query = "symbols=" + BinanceSymbols.jsonArrayQuery(venueSymbols)
            }
            return HTTPRequest(
                url: "\(baseURL)/api/v3/ticker/24hr?\(query)", headers: ["Accept": "application/json"],
                connectTimeout: connectTimeout, totalTimeout: totalTimeout
            )
        default:
            throw unknownEndpoint(endpoint)
        }
    }

    public func decode(_ response: HTTPResponse, for endpoint: String, receivedAt: UTCTimestamp) throws(ConnectorError) -> [Record] {
        try BinanceErrors.check(response, source: id)
        switch endpoint {
        case "ticker":
            return try BinanceTicker.records(from: response.body, source: id, endpoint: endpoint)
        default:
            throw unknownEndpoint(endpoint)
        }
    }

    private func unknownEndpoint(_ endpoint: String) -> ConnectorError {
        ConnectorError(.unknownEndpoint, source: id, "unknown endpoint '\(endpoint)'; available: \(endpoints.map(\.name).joined(separator: ", "))")
    }
}
