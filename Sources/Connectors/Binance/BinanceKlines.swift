import TributaryCore

/// Reads `GET /api/v3/klines`: rows of `[openTime ms, open, high, low, close, volume,
/// closeTime ms, quoteVolume, trades, takerBuyBase, takerBuyQuote, ignore]`.
///
/// Prices are decimal strings kept exact; the 12th field is documented as unused and is
/// not assumed to be zero (real rows carry other values there).
enum BinanceKlines {
    /// The bars of a klines answer, read straight from the tape (a response carries up to
    /// 1,000 rows of 12 cells).
    static func records(from tape: JSONTape, source: SourceID, venueSymbol: String, interval: String) throws(ConnectorError) -> [Record] {
        let reader = PositionalRows(source: source, endpoint: "klines", layout: "an array of at least 9 fields [open time, open, high, low, close, volume, …]")
        let symbol = BinanceSymbols.canonical(venueSymbol)
        return try reader.rows(in: tape, at: tape.root).enumerated().map { (index, position) throws(ConnectorError) in
            let row = try reader.row(position, in: tape, at: index, minimumFields: 9)
            let bar = Bar(
                interval: interval, start: try row.time(0, .milliseconds, "open time"), open: try row.decimal(1, "open"), high: try row.decimal(2, "high"),
                low: try row.decimal(3, "low"), close: try row.decimal(4, "close"), volume: try row.decimal(5, "volume"), trades: row.optionalInteger(8))
            return Record(source: source, endpoint: "klines", symbol: symbol, venueSymbol: venueSymbol, payload: .bar(bar))
        }
    }
}
