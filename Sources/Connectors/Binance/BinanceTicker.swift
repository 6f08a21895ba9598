import TributaryCore

/// Reads `GET /api/v3/ticker/24hr` (one object, or an array for `symbols=`) into quotes.
///
/// Binance sends every price as a decimal string, kept exact; as-of is `closeTime` (ms), the
/// end of the rolling 24 h window, which is when these statistics were computed.
enum BinanceTicker {
    /// Read off the tape: a ticker's dozen decimals are parsed where they lie, with no tree of
    /// strings built for the response first (the lever `bench fetch --decode` measures).
    static func records(from tape: JSONTape, source: SourceID, endpoint: String) throws(ConnectorError) -> [Record] {
        try ConnectorSupport.objects(in: tape, context: "ticker", source: source).map { (item) throws(ConnectorError) in
            try record(FieldReader(tape: tape, at: item, source: source, context: "ticker"), endpoint: endpoint)
        }
    }

    static func record(_ fields: FieldReader, endpoint: String) throws(ConnectorError) -> Record {
        let source = fields.source
        let venueSymbol = try fields.string("symbol")
        let quote = Quote(
            asOf: try fields.time("closeTime", .milliseconds),
            last: try fields.decimal("lastPrice"),
            bid: try fields.optionalDecimal("bidPrice"),
            ask: try fields.optionalDecimal("askPrice"),
            bidSize: try fields.optionalDecimal("bidQty"),
            askSize: try fields.optionalDecimal("askQty"),
            open: try fields.optionalDecimal("openPrice"),
            high: try fields.optionalDecimal("highPrice"),
            low: try fields.optionalDecimal("lowPrice"),
            volume: try fields.optionalDecimal("volume"),
            quoteVolume: try fields.optionalDecimal("quoteVolume"),
            change: try fields.optionalDecimal("priceChange"),
            changePercent: try fields.optionalDecimal("priceChangePercent")
        )
        return Record(
            source: source, endpoint: endpoint, symbol: BinanceSymbols.canonical(venueSymbol), venueSymbol: venueSymbol,
            payload: .quote(quote)
        )
    }
}
