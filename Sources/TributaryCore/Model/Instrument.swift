/// Canonical instrument names, and the translation from each venue's spelling.
///
/// Crypto pairs are `BASE-QUOTE` in upper case (`BTC-USDT`), whatever the venue writes
/// (`BTCUSDT`, `XBTUSDT`, `btc-usdt`). Keeping the rules in one place means two connectors
/// can never disagree on what "the same instrument" is.
public enum Instrument {
    /// Quote assets recognised at the end of a concatenated pair, longest first so that
    /// `BTCUSDT` splits as BTC/USDT and not BTCUSD/T.
    public static let knownQuoteAssets: [String] = [
        "FDUSD", "USDT", "USDC", "TUSD", "BUSD", "USDP", "EURI", "DAI", "USD", "EUR", "GBP", "JPY", "TRY", "BRL",
        "AUD", "CAD", "CHF", "BTC", "ETH", "BNB", "XRP", "TRX", "DOGE", "SOL",
    ].sorted { $0.count > $1.count }

    /// CoinGecko's coin ids of common tickers (CoinGecko names coins by id, not ticker).
    public static let coinGeckoIDs: [String: String] = [
        "BTC": "bitcoin", "ETH": "ethereum", "USDT": "tether", "BNB": "binancecoin", "SOL": "solana", "XRP": "ripple",
        "USDC": "usd-coin", "DOGE": "dogecoin", "ADA": "cardano", "TRX": "tron", "AVAX": "avalanche-2", "DOT": "polkadot",
        "LINK": "chainlink", "LTC": "litecoin", "BCH": "bitcoin-cash",
    ]
    private static let coinGeckoTickers: [String: String] = Dictionary(uniqueKeysWithValues: coinGeckoIDs.map { ($1, $0) })

    /// The ticker of a CoinGecko coin id (`bitcoin` → `BTC`), or the id upper-cased.
    public static func ticker(ofCoinGeckoID id: String) -> String { coinGeckoTickers[id] ?? id.uppercased() }

    /// Venue asset codes that differ from the common ticker.
    public static let assetAliases: [String: String] = ["XBT": "BTC", "XDG": "DOGE", "BCC": "BCH"]

    /// `BTCUSDT` → `BTC-USDT`; nil when no known quote asset ends the text.
    public static func pair(fromConcatenated venueSymbol: String) -> String? {
        // Kraken's classic pair keys: `XXBTZUSD`, `XETHZEUR` (X-prefixed crypto, Z-prefixed fiat).
        let scalars = Array(venueSymbol)
        if scalars.count == 8, scalars[0] == "X", scalars[4] == "Z" || scalars[4] == "X" {
            return "\(canonicalAsset(String(scalars[1..<4])))-\(canonicalAsset(String(scalars[5..<8])))"
        }
        // Bitfinex-style trading-pair prefix: `tBTCUSD`, `tDOGE:USD`.
        if venueSymbol.count > 4, venueSymbol.first == "t", venueSymbol.dropFirst().first?.isUppercase == true {
            let rest = String(venueSymbol.dropFirst())
            if let (base, quote) = split(rest) { return "\(base)-\(quote)" }
            return pair(fromConcatenated: rest)
        }
        // Runs once per decoded record: compare UTF-8 bytes, allocate only the result.
        let upper = Array(venueSymbol.utf8).map { $0 >= 0x61 && $0 <= 0x7A ? $0 - 0x20 : $0 }
        // Prefer a base of three or more letters (XBTUSD is XBT/USD, not XB/TUSD), then any.
        for minimumBase in [3, 1] {
            for quote in knownQuoteAssetBytes where upper.count - quote.count >= minimumBase && upper.suffix(quote.count).elementsEqual(quote) {
                let base = String(decoding: upper.dropLast(quote.count), as: UTF8.self)
                let quoteText = String(decoding: quote, as: UTF8.self)
                return "\(canonicalAsset(base))-\(canonicalAsset(quoteText))"
            }
        }
        return nil
    }

    private static let knownQuoteAssetBytes: [[UInt8]] = knownQuoteAssets.map { Array($0.utf8) }

    /// The common ticker of an asset code (`XBT` → `BTC`).
    public static func canonicalAsset(_ code: String) -> String {
        let upper = code.utf8.allSatisfy({ $0 < 0x61 || $0 > 0x7A }) ? code : code.uppercased()
        return assetAliases[upper] ?? upper
    }

    /// `BTC-USDT` (or `btc/usdt`, `BTC_USDT`, `DOGE:USD`) → (`BTC`, `USDT`); nil when the text is not a pair.
    public static func split(_ symbol: String) -> (base: String, quote: String)? {
        let parts = symbol.split(whereSeparator: { $0 == "-" || $0 == "/" || $0 == "_" || $0 == ":" })
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
        return (canonicalAsset(String(parts[0])), canonicalAsset(String(parts[1])))
    }
}
