import TributaryCore

/// Reads `/v7/finance/quote`: `quoteResponse.result[]`, as-of `regularMarketTime` (seconds).
enum YahooQuote {
    static func records(_ json: JSONValue, source: SourceID) throws(ConnectorError) -> [Record] {
        guard let results = json["quoteResponse"]?["result"]?.arrayValue else {
            throw ConnectorError(.decode, source: source, "quote: no quoteResponse.result array")
        }
        return try results.enumerated().map { (index, item) throws(ConnectorError) in
            let fields = FieldReader(json: item, source: source, context: "quote[\(index)]")
            let symbol = try fields.string("symbol")
            let quote = Quote(
                asOf: try fields.time("regularMarketTime", .seconds), last: try fields.decimal("regularMarketPrice"),
                bid: try fields.optionalDecimal("bid"), ask: try fields.optionalDecimal("ask"), open: try fields.optionalDecimal("regularMarketOpen"),
                high: try fields.optionalDecimal("regularMarketDayHigh"), low: try fields.optionalDecimal("regularMarketDayLow"),
                volume: try fields.optionalDecimal("regularMarketVolume"), change: try fields.optionalDecimal("regularMarketChange"),
                changePercent: try fields.optionalDecimal("regularMarketChangePercent"), currency: try? fields.string("currency"))
            return Record(source: source, endpoint: "quote", symbol: symbol, venueSymbol: symbol, payload: .quote(quote))
        }
    }
}
