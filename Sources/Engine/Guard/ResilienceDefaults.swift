import Connectors
import TributaryCore

/// Built-in resilience settings of the sources that have a connector, until Sources.d files
/// (issue #4) carry them.
///
/// Binance: 6,000 request weight per minute per IP (its documented `REQUEST_WEIGHT` limit),
/// so a bucket of 6,000 refilling at 100 per second; the 24 h ticker costs 2 for up to 20
/// symbols, 40 for up to 100 and 80 beyond (Binance's weights for `/api/v3/ticker/24hr`).
public enum ResilienceDefaults {
    public static func settings(for source: SourceID) -> ResilienceSettings {
        var settings = ResilienceSettings()
        switch source.rawValue {
        case "binance":
            settings.rateLimit = .init(capacity: 6_000, refillPerSecond: 100)
        default:
            break
        }
        return settings
    }

    /// What one call to `endpoint` costs in the source's rate-limit units.
    public static func cost(of endpoint: String, source: SourceID, symbolCount: Int = 1) -> Double {
        switch (source.rawValue, endpoint) {
        case ("binance", "ticker"): symbolCount <= 20 ? 2 : symbolCount <= 100 ? 40 : 80
        case ("binance", "price"): symbolCount == 1 ? 2 : 4
        case ("binance", "klines"): 2
        case ("binance", "depth"): 5
        case ("binance", "account"): 20
        default: 1
        }
    }
}
