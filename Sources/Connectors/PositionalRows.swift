import TributaryCore

/// Answers whose rows are arrays read by position — Binance klines, Coinbase candles, Kraken
/// OHLC — read one way: each row checked for its length, each field for its type, and every
/// failure naming the endpoint, the row, the field's position and name, and what it holds.
struct PositionalRows {
    let source: SourceID
    let endpoint: String
    /// The row's layout as the provider documents it, e.g. `[time, low, high, open, close, volume]`.
    let layout: String

    /// The rows of `json`, which must be an array.
    func rows(of json: JSONValue) throws(ConnectorError) -> [JSONValue] {
        guard case .array(let rows) = json else {
            throw ConnectorError(.decode, source: source, "\(endpoint): expected an array of rows, got \(json.typeName)")
        }
        return rows
    }

    /// Row `index`'s fields, when it is an array of at least `minimumFields`.
    func row(_ value: JSONValue, at index: Int, minimumFields: Int) throws(ConnectorError) -> Row {
        guard case .array(let cells) = value, cells.count >= minimumFields else {
            throw ConnectorError(.decode, source: source, "\(endpoint): row \(index) is not \(layout)")
        }
        return Row(cells: cells, index: index, reader: self)
    }

    /// One row's fields by position.
    struct Row {
        let cells: [JSONValue]
        let index: Int
        let reader: PositionalRows

        func decimal(_ position: Int, _ name: String) throws(ConnectorError) -> ExactDecimal {
            guard let value = cells[position].decimalValue else { throw reader.failure(index, position, name, cells[position], "a decimal") }
            return value
        }

        /// An integer count of `unit`s since the epoch, within the supported time range.
        func time(_ position: Int, _ unit: UTCTimestamp.EpochUnit, _ name: String) throws(ConnectorError) -> UTCTimestamp {
            guard let value = cells[position].int64Value else { throw reader.failure(index, position, name, cells[position], "an integer") }
            return try ConnectorSupport.time(
                value, unit, at: "\(reader.endpoint): row \(index) field \(position) (\(name))", source: reader.source)
        }

        /// An optional integer field (a count some rows leave out or null).
        func optionalInteger(_ position: Int) -> Int64? { position < cells.count ? cells[position].int64Value : nil }
    }

    private func failure(_ index: Int, _ position: Int, _ name: String, _ value: JSONValue, _ expected: String) -> ConnectorError {
        ConnectorError(.decode, source: source, "\(endpoint): row \(index) field \(position) (\(name)) is \(value.typeName), expected \(expected)")
    }
}
