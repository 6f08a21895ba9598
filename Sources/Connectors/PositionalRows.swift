import TributaryCore

/// Answers whose rows are arrays read by position — Binance klines, Coinbase candles, Kraken
/// OHLC — read one way: each row checked for its length, each field for its type, and every
/// failure naming the endpoint, the row, the field's position and name, and what it holds.
///
/// Rows come from a parsed tree, or straight from a ``JSONTape`` when a response holds
/// hundreds of them (klines): the checks and messages are the same either way.
struct PositionalRows {
    let source: SourceID
    let endpoint: String
    /// The row's layout as the provider documents it, e.g. `[time, low, high, open, close, volume]`.
    let layout: String

    /// The rows of `json`, which must be an array.
    func rows(of json: JSONValue) throws(ConnectorError) -> [JSONValue] {
        guard case .array(let rows) = json else { throw notAnArray(json.typeName) }
        return rows
    }

    /// The rows of the array at `position` on `tape`.
    func rows(in tape: JSONTape, at position: JSONTape.Position) throws(ConnectorError) -> JSONTape.Elements {
        guard tape.arrayCount(at: position) != nil else { throw notAnArray(tape.typeName(at: position)) }
        return tape.elements(of: position)
    }

    /// Row `index`'s fields, when it is an array of at least `minimumFields`.
    func row(_ value: JSONValue, at index: Int, minimumFields: Int) throws(ConnectorError) -> Row {
        guard case .array(let cells) = value, cells.count >= minimumFields else { throw notARow(index) }
        return Row(cells: .tree(cells), index: index, reader: self)
    }

    /// Row `index`'s fields on `tape`, when it is an array of at least `minimumFields`.
    func row(_ position: JSONTape.Position, in tape: JSONTape, at index: Int, minimumFields: Int) throws(ConnectorError) -> Row {
        guard let count = tape.arrayCount(at: position), count >= minimumFields else { throw notARow(index) }
        return Row(cells: .tape(TapeCells(tape: tape, row: position, count: count)), index: index, reader: self)
    }

    /// One row's fields by position.
    struct Row {
        let cells: PositionalCells
        let index: Int
        let reader: PositionalRows

        func decimal(_ position: Int, _ name: String) throws(ConnectorError) -> ExactDecimal {
            guard let value = cells.decimal(position) else { throw reader.failure(index, position, name, cells.typeName(position), "a decimal") }
            return value
        }

        /// An integer count of `unit`s since the epoch, within the supported time range.
        func time(_ position: Int, _ unit: UTCTimestamp.EpochUnit, _ name: String) throws(ConnectorError) -> UTCTimestamp {
            guard let value = cells.int64(position) else { throw reader.failure(index, position, name, cells.typeName(position), "an integer") }
            return try ConnectorSupport.time(
                value, unit, at: "\(reader.endpoint): row \(index) field \(position) (\(name))", source: reader.source)
        }

        /// An optional integer field (a count some rows leave out or null).
        func optionalInteger(_ position: Int) -> Int64? { position < cells.count ? cells.int64(position) : nil }
    }

    private func notAnArray(_ typeName: String) -> ConnectorError {
        ConnectorError(.decode, source: source, "\(endpoint): expected an array of rows, got \(typeName)")
    }

    private func notARow(_ index: Int) -> ConnectorError {
        ConnectorError(.decode, source: source, "\(endpoint): row \(index) is not \(layout)")
    }

    private func failure(_ index: Int, _ position: Int, _ name: String, _ typeName: String, _ expected: String) -> ConnectorError {
        ConnectorError(.decode, source: source, "\(endpoint): row \(index) field \(position) (\(name)) is \(typeName), expected \(expected)")
    }
}

/// A row's cells read by position, wherever the row was read from.
enum PositionalCells {
    case tree([JSONValue])
    case tape(TapeCells)

    var count: Int {
        switch self {
        case .tree(let cells): cells.count
        case .tape(let cells): cells.count
        }
    }

    func decimal(_ position: Int) -> ExactDecimal? {
        switch self {
        case .tree(let cells): cells[position].decimalValue
        case .tape(let cells): cells.tape.decimal(at: cells.cell(position))
        }
    }

    func int64(_ position: Int) -> Int64? {
        switch self {
        case .tree(let cells): cells[position].int64Value
        case .tape(let cells): cells.tape.int64(at: cells.cell(position))
        }
    }

    func typeName(_ position: Int) -> String {
        switch self {
        case .tree(let cells): cells[position].typeName
        case .tape(let cells): cells.tape.typeName(at: cells.cell(position))
        }
    }
}

/// A row's cells on a tape: each read from its bytes where it lies.
struct TapeCells {
    let tape: JSONTape
    let row: JSONTape.Position
    let count: Int

    func cell(_ position: Int) -> JSONTape.Position {
        // Rows are checked for their length before any cell is read.
        tape.element(position, of: row) ?? row
    }
}
