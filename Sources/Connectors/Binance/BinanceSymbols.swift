import Foundation
import TributaryCore

/// Binance writes pairs concatenated and upper case (`BTCUSDT`); Tributary writes `BTC-USDT`.
enum BinanceSymbols {
    /// Accepts `BTCUSDT`, `btcusdt`, `BTC-USDT` or `BTC/USDT` and returns Binance's spelling.
    static func venueSymbol(for symbol: String) throws(ConnectorError) -> String {
        let trimmed = symbol.trimmingCharacters(in: .whitespaces)
        if let (base, quote) = Instrument.split(trimmed) { return base + quote }
        let upper = trimmed.uppercased()
        guard !upper.isEmpty, upper.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
            throw ConnectorError(.invalidArgument, source: "binance", "'\(symbol)' is not a Binance symbol (expected letters and digits, e.g. BTCUSDT)")
        }
        return upper
    }

    /// The canonical `BASE-QUOTE` for a Binance symbol, or the symbol itself when no known quote asset ends it.
    static func canonical(_ venueSymbol: String) -> String {
        Instrument.pair(fromConcatenated: venueSymbol) ?? venueSymbol
    }

    /// `["BTCUSDT","ETHUSDT"]`, percent-encoded for the `symbols=` parameter.
    static func jsonArrayQuery(_ symbols: [String]) -> String {
        "%5B" + symbols.map { "%22\($0)%22" }.joined(separator: "%2C") + "%5D"
    }
}
