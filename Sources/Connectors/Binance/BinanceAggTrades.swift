import TributaryCore

/// Reads `GET /api/v3/aggTrades`: objects `{"a": aggregate id, "p": price, "q": quantity,
/// "f": first trade id, "l": last trade id, "T": time ms, "m": buyer was the maker, "M": best match}`.
///
/// One record per aggregate trade (the venue's trades at one price from one taker order): its
/// id is the aggregate id, which Binance numbers without holes, so feature sets can check the
/// sequence. `m` true means the taker sold.
enum BinanceAggTrades {
    static func records(from json: JSONValue, source: SourceID, venueSymbol: String) throws(ConnectorError) -> [Record] {
        guard case .array(let items) = json else {
            throw ConnectorError(.decode, source: source, "agg-trades: expected an array of trades, got \(json.typeName)")
        }
        let symbol = BinanceSymbols.canonical(venueSymbol)
        return try items.enumerated().map { (index, item) throws(ConnectorError) in
            let fields = FieldReader(json: item, source: source, context: "agg-trades[\(index)]")
            let buyerIsMaker: Bool
            switch try fields.value("m") {
            case .bool(let flag): buyerIsMaker = flag
            default: throw ConnectorError(.decode, source: source, "agg-trades[\(index)].m: expected true or false")
            }
            let trade = Trade(
                tradeID: String(try fields.int("a")), time: try fields.time("T", .milliseconds), price: try fields.decimal("p"),
                size: try fields.decimal("q"), side: buyerIsMaker ? .sell : .buy)
            return Record(source: source, endpoint: "agg-trades", symbol: symbol, venueSymbol: venueSymbol, payload: .trade(trade))
        }
    }
}
