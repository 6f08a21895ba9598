import TributaryCore

/// Reads `GET /api/v3/ticker/price`: `{"symbol","price"}` or an array of them.
///
/// The body carries no time, so as-of is when the response was received.
enum BinancePrice {
    static func records(from tape: JSONTape, source: SourceID, receivedAt: UTCTimestamp) throws(ConnectorError) -> [Record] {
        let root = tape.root
        let items: [JSONTape.Position]
        if tape.isObject(at: root) {
            items = [root]
        } else if tape.arrayCount(at: root) != nil {
            items = Array(tape.elements(of: root))
        } else {
            throw ConnectorError(.decode, source: source, "price: expected an object or array, got \(tape.typeName(at: root))")
        }
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
