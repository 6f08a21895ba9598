import TributaryCore

/// Reads `GET /api/v3/ticker/price`: `{"symbol","price"}` or an array of them.
///
/// The body carries no time, so as-of is when the response was received.
enum BinancePrice {
    static func records(from json: JSONValue, source: SourceID, receivedAt: UTCTimestamp) throws(ConnectorError) -> [Record] {
        let items: [JSONValue]
        switch json {
        case .object: items = [json]
        case .array(let array): items = array
        default: throw ConnectorError(.decode, source: source, "price: expected an object or array, got \(json.typeName)")
        }
        return try items.map { (item) throws(ConnectorError) in
            let fields = FieldReader(json: item, source: source, context: "price")
            let venue = try fields.string("symbol")
            return Record(
                source: source, endpoint: "price", symbol: BinanceSymbols.canonical(venue), venueSymbol: venue,
                payload: .quote(Quote(asOf: receivedAt, last: try fields.decimal("price")))
            )
        }
    }
}
