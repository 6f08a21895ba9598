import TributaryCore

/// Reads `GET /api/v3/klines`: rows of `[openTime ms, open, high, low, close, volume,
/// closeTime ms, quoteVolume, trades, takerBuyBase, takerBuyQuote, ignore]`.
///
/// Prices are decimal strings kept exact; the 12th field is documented as unused and is
/// not assumed to be zero (real rows carry other values there).
enum BinanceKlines {
    static func records(from json: JSONValue, source: SourceID, venueSymbol: String, interval: String) throws(ConnectorError) -> [Record] {
        guard case .array(let rows) = json else {
            throw ConnectorError(.decode, source: source, "klines: expected an array of rows, got \(json.typeName)")
        }
        let symbol = BinanceSymbols.canonical(venueSymbol)
        return try rows.enumerated().map { (index, row) throws(ConnectorError) in
            guard case .array(let cells) = row, cells.count >= 9 else {
                throw ConnectorError(.decode, source: source, "klines: row \(index) is not an array of at least 9 fields")
            }
            func decimal(_ position: Int, _ name: String) throws(ConnectorError) -> ExactDecimal {
                guard let value = cells[position].decimalValue else {
                    throw ConnectorError(
                        .decode, source: source, "klines: row \(index) field \(position) (\(name)) is \(cells[position].typeName), expected a decimal")
                }
                return value
            }
            guard let openTime = cells[0].int64Value else {
                throw ConnectorError(.decode, source: source, "klines: row \(index) field 0 (open time) is not an integer")
            }
            let bar = Bar(
                interval: interval, start: try ConnectorSupport.time(openTime, .milliseconds, at: "klines: row \(index) field 0 (open time)", source: source),
                open: try decimal(1, "open"), high: try decimal(2, "high"), low: try decimal(3, "low"), close: try decimal(4, "close"),
                volume: try decimal(5, "volume"), trades: cells[8].int64Value
            )
            return Record(source: source, endpoint: "klines", symbol: symbol, venueSymbol: venueSymbol, payload: .bar(bar))
        }
    }
}
