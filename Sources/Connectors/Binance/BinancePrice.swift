import TributaryCore

/// Reads `GET /api/v3/ticker/price`: `{"symbol","price"}` or an array of them.
///
/// The body carries no time, so as-of is when the response was received.
enum BinancePrice {
    static func records(from tape: JSONTape, source: SourceID, receivedAt: UTCTimestamp) throws(ConnectorError) -> [Record] {
        let items = try ConnectorSupport.objects(in: tape, context: "price", source: source)
        return try items.map { (item) throws(ConnectorError) in
            let fields = FieldReader(tape: tape, at: item, source: source, context: "price")
            let venue = try fields.string("symbol")
            return Record(
                source: source, endpoint: "price", symbol: BinanceSymbols.canonical(venue), venueSymbol: venue,
                payload: .quote(Quote(asOf: receivedAt, last: try fields.decimal("price")))
            )
        }
    }
}
