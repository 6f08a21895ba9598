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
        // Runs once per decoded record: compare UTF-8 bytes, allocate only the result.
        let utf8 = Array(venueSymbol.utf8)
        // Kraken's classic pair keys: `XXBTZUSD`, `XETHZEUR` (X-prefixed crypto, Z-prefixed fiat).
        if let (base, quote) = classicPair(venueSymbol, utf8: utf8) { return "\(canonicalAsset(base))-\(canonicalAsset(quote))" }
        // Bitfinex-style trading-pair prefix: `tBTCUSD`, `tDOGE:USD` (the byte first: most
        // symbols do not start with `t`, and counting characters walks the whole text).
        if utf8.first == UInt8(ascii: "t"), venueSymbol.count > 4, venueSymbol.first == "t", venueSymbol.dropFirst().first?.isUppercase == true {
            let rest = String(venueSymbol.dropFirst())
            if let (base, quote) = split(rest) { return "\(base)-\(quote)" }
            return pair(fromConcatenated: rest)
        }
        let upper = utf8.map { $0 >= 0x61 && $0 <= 0x7A ? $0 - 0x20 : $0 }
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

    /// A Kraken classic key's two codes (`XXBTZUSD` → `XBT`, `USD`): eight characters, `X` first,
    /// `Z` or `X` fifth. Printable ASCII is read by bytes (there a character is a byte); anything
    /// else by characters, as before — splitting a ticker into characters was 1.4 % of a process
    /// decoding Binance tickers.
    private static func classicPair(_ text: String, utf8: [UInt8]) -> (String, String)? {
        if utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) {
            guard utf8.count == 8, utf8[0] == UInt8(ascii: "X"), utf8[4] == UInt8(ascii: "Z") || utf8[4] == UInt8(ascii: "X") else { return nil }
            return (String(decoding: utf8[1..<4], as: UTF8.self), String(decoding: utf8[5..<8], as: UTF8.self))
        }
        let characters = Array(text)
        guard characters.count == 8, characters[0] == "X", characters[4] == "Z" || characters[4] == "X" else { return nil }
        return (String(characters[1..<4]), String(characters[5..<8]))
    }

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
