import TributaryCore

/// Reads `GET /api/v3/ticker/24hr` (one object, or an array for `symbols=`) into quotes.
///
/// Binance sends every price as a decimal string, kept exact; as-of is `closeTime` (ms), the
/// end of the rolling 24 h window, which is when these statistics were computed.
enum BinanceTicker {
    static func records(from json: JSONValue, source: SourceID, endpoint: String) throws(ConnectorError) -> [Record] {
        switch json {
        case .object: return [try record(json, source: source, endpoint: endpoint)]
        case .array(let items): return try items.map { (item) throws(ConnectorError) in try record(item, source: source, endpoint: endpoint) }
        default: throw ConnectorError(.decode, source: source, "ticker: expected an object or array, got \(json.typeName)")
        }
    }

    static func record(_ json: JSONValue, source: SourceID, endpoint: String) throws(ConnectorError) -> Record {
        let fields = FieldReader(json: json, source: source, context: "ticker")
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
