import Foundation
import TributaryCore

/// The connectors Tributary knows, and how a user points one at another base URL.
///
/// Base URL precedence: an explicit override (`--base-url`), then the environment
/// (`TRIBUTARY_<ID>_BASE_URL`), then the provider's public address.
public enum ConnectorRegistry {
    /// Every source id with a connector.
    public static let sourceIDs: [SourceID] = ["binance"]

    public static func connector(
        for id: String, baseURL override: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(ConnectorError) -> any Connector {
        let source = SourceID(id.lowercased())
        let baseURL = override ?? environment[environmentKey(for: source)]
        switch source {
        case "binance":
            return BinanceConnector(baseURL: baseURL ?? BinanceConnector.defaultBaseURL, credentials: BinanceCredentials(environment: environment))
        default:
            throw ConnectorError(
                .invalidArgument, source: source,
                "unknown source '\(id)'; available: \(sourceIDs.map(\.rawValue).joined(separator: ", "))"
            )
        }
    }

    /// `TRIBUTARY_BINANCE_BASE_URL` for `binance`.
    public static func environmentKey(for source: SourceID) -> String {
        "TRIBUTARY_\(source.rawValue.uppercased())_BASE_URL"
    }
}
