import Foundation
import TributaryCore

/// Equity tickers as upstreams take them: upper case letters, digits, `.`, `-` and `^` (indices).
public enum EquitySymbol {
    public static func venue(_ symbol: String, source: SourceID) throws(ConnectorError) -> String {
        let upper = symbol.trimmingCharacters(in: .whitespaces).uppercased()
        guard !upper.isEmpty, upper.count <= 20, upper.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || ".-^=".contains($0)) }) else {
            throw ConnectorError(.invalidArgument, source: source, "'\(symbol)' is not a ticker (letters, digits, . - ^ =, e.g. AAPL or BRK.B)")
        }
        return upper
    }
}
