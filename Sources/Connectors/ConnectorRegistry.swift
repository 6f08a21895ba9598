import Foundation
import TributaryCore

/// The connectors Tributary has, and how a source's definition and the environment configure one.
///
/// Base URL precedence: an explicit override (`--base-url`), then the environment
/// (`TRIBUTARY_<ID>_BASE_URL`), then the source's Sources.d `base_url`, then the provider's
/// public address. Credentials come from the environment variables its `auth:` names.
public enum ConnectorRegistry {
    /// Every source id with a Swift connector.
    public static let sourceIDs: [SourceID] = [
        "alphavantage", "binance", "coinbase", "coingecko", "finnhub", "fmp", "fred", "kraken", "newsapi", "polygon", "tiingo", "twelvedata", "yahoo",
    ]

    /// The connectors that need a key, by id: built the same way from a ``SourceAccess``.
    static let keyedConnectors: [String: any KeyedConnector.Type] = [
        "finnhub": FinnhubConnector.self, "fred": FREDConnector.self, "alphavantage": AlphaVantageConnector.self,
        "polygon": PolygonConnector.self, "twelvedata": TwelveDataConnector.self, "fmp": FMPConnector.self,
        "tiingo": TiingoConnector.self, "newsapi": NewsAPIConnector.self,
    ]

    /// Connector id → its endpoint names, for validating Sources.d files.
    public static var knownConnectors: [String: [String]] {
        [
            "binance": BinanceConnector().endpoints.map(\.name),
            "coinbase": CoinbaseConnector().endpoints.map(\.name),
            "coingecko": CoinGeckoConnector().endpoints.map(\.name),
            "kraken": KrakenConnector().endpoints.map(\.name),
            "yahoo": YahooConnector().endpoints.map(\.name),
        ].merging(keyedConnectors.mapValues { $0.init(access: $0.defaultAccess).endpoints.map(\.name) }) { a, _ in a }
    }

    public static func connector(
        for id: String, definition: SourceDefinition? = nil, baseURL override: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(ConnectorError) -> any Connector {
        let source = SourceID(id.lowercased())
        let kind = definition?.connector ?? source.rawValue
        let baseURL = override ?? environment[environmentKey(for: source)] ?? definition?.baseURL
        let connect = definition?.connectTimeout ?? .seconds(2)
        let total = definition?.totalTimeout ?? .seconds(10)
        switch kind {
        case "declarative":
            guard let definition else {
                throw ConnectorError(.invalidArgument, source: source, "a declarative source needs its Sources.d file")
            }
            guard let base = baseURL else {
                throw ConnectorError(.invalidArgument, source: source, "\(definition.file) has no base_url; add one or set \(environmentKey(for: source))")
            }
            return DeclarativeConnector(definition: definition, baseURL: base, apiKey: definition.auth?.keyEnv.flatMap { nonEmpty(environment[$0]) })
        case "binance":
            let keyVariable = definition?.auth?.keyEnv ?? "BINANCE_API_KEY"
            let secretVariable = definition?.auth?.secretEnv ?? "BINANCE_API_SECRET"
            var credentials: BinanceCredentials?
            if let key = environment[keyVariable], !key.isEmpty, let secret = environment[secretVariable], !secret.isEmpty {
                credentials = BinanceCredentials(apiKey: key, secret: secret)
            }
            return BinanceConnector(
                baseURL: baseURL ?? BinanceConnector.defaultBaseURL, credentials: credentials, connectTimeout: connect, totalTimeout: total)
        case "coinbase":
            return CoinbaseConnector(baseURL: baseURL ?? CoinbaseConnector.defaultBaseURL, connectTimeout: connect, totalTimeout: total)
        case "kraken":
            return KrakenConnector(baseURL: baseURL ?? KrakenConnector.defaultBaseURL, connectTimeout: connect, totalTimeout: total)
        case "coingecko":
            let key = environment[definition?.auth?.keyEnv ?? "COINGECKO_API_KEY"].flatMap { $0.isEmpty ? nil : $0 }
            return CoinGeckoConnector(baseURL: baseURL ?? CoinGeckoConnector.defaultBaseURL, apiKey: key, connectTimeout: connect, totalTimeout: total)
        case "yahoo":
            return YahooConnector(
                baseURL: baseURL ?? YahooConnector.defaultBaseURL, crumb: nonEmpty(environment["YAHOO_CRUMB"]),
                cookie: nonEmpty(environment["YAHOO_COOKIE"]), connectTimeout: connect, totalTimeout: total)
        default:
            if let keyed = keyedConnectors[kind] {
                var access = keyed.defaultAccess
                access = SourceAccess(
                    baseURL: baseURL ?? access.baseURL, keyVariable: definition?.auth?.keyEnv ?? access.keyVariable,
                    connectTimeout: definition?.connectTimeout ?? access.connectTimeout, totalTimeout: definition?.totalTimeout ?? access.totalTimeout)
                access.apiKey = nonEmpty(environment[access.keyVariable])
                return keyed.init(access: access)
            }
            throw ConnectorError(
                .invalidArgument, source: source,
                "unknown source '\(id)'; available: \(sourceIDs.map(\.rawValue).joined(separator: ", "))"
            )
        }
    }

    static func nonEmpty(_ value: String?) -> String? { value.flatMap { $0.isEmpty ? nil : $0 } }

    /// `TRIBUTARY_BINANCE_BASE_URL` for `binance`.
    public static func environmentKey(for source: SourceID) -> String {
        "TRIBUTARY_\(source.rawValue.uppercased().replacingOccurrences(of: "-", with: "_"))_BASE_URL"
    }
}
