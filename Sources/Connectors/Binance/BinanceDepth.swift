import TributaryCore

/// Reads `GET /api/v3/depth`: `{"lastUpdateId", "bids": [[price, qty], …], "asks": …}`,
/// bids highest first and asks lowest first, as Binance sends them. No time in the body:
/// as-of is the receive time.
enum BinanceDepth {
    static func records(from json: JSONValue, source: SourceID, venueSymbol: String, receivedAt: UTCTimestamp) throws(ConnectorError) -> [Record] {
        let fields = FieldReader(json: json, source: source, context: "depth")
        let book = Book(
            asOf: receivedAt, bids: try levels(try fields.value("bids"), side: "bids", source: source),
            asks: try levels(try fields.value("asks"), side: "asks", source: source)
        )
        return [Record(source: source, endpoint: "depth", symbol: BinanceSymbols.canonical(venueSymbol), venueSymbol: venueSymbol, payload: .book(book))]
    }

    static func levels(_ json: JSONValue, side: String, source: SourceID) throws(ConnectorError) -> [Book.Level] {
        guard case .array(let rows) = json else { throw ConnectorError(.decode, source: source, "depth: field '\(side)' is not an array") }
        return try rows.enumerated().map { (index, row) throws(ConnectorError) in
            guard let price = row[0]?.decimalValue, let size = row[1]?.decimalValue else {
                throw ConnectorError(.decode, source: source, "depth: \(side)[\(index)] is not [price, quantity] decimal strings")
            }
            return Book.Level(price: price, size: size)
        }
    }
}
