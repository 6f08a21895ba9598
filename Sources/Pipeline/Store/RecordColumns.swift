import TributaryCore

/// The typed table of one record kind, database-neutral: its columns and logical types, how a
/// record becomes column values and values a record. Each adapter maps the logical types to its
/// own (SQLite: INTEGER / TEXT; PostgreSQL: timestamptz, NUMERIC, jsonb, date), so the tables of
/// both databases have the same columns and the same meaning.
///
/// Decimals are their exact text as written (plain notation, the upstream's scale kept, never a
/// float); times integer nanoseconds since the epoch (UTC); a book's levels and a news item's
/// symbols JSON arrays of strings; a trade id equal to the row's key is not stored twice.
public struct RecordColumns: Sendable {
    /// `side`: a trade's side (`buy` / `sell` in the record model), which an adapter may store as
    /// a code (SQLite: 0 / 1, no bytes beyond the row header) rather than as text.
    public enum ColumnType: Sendable { case time, decimal, text, integer, json, date, side }

    /// A value as it crosses into and out of a database.
    public enum Value: Sendable, Hashable {
        case null
        case integer(Int64)
        case text(String)
    }

    public struct Column: Sendable {
        public var name: String
        public var type: ColumnType
        public var required: Bool
    }

    public let kind: Record.Kind
    public let table: String
    public let columns: [Column]
    /// The column reads are ordered by and the latest view picks by (nil: balances).
    public let timeColumn: String?

    init(_ kind: Record.Kind, _ table: String, time: String?, _ columns: [(String, ColumnType, Bool)]) {
        self.kind = kind
        self.table = table
        self.timeColumn = time
        self.columns = columns.map { Column(name: $0.0, type: $0.1, required: $0.2) }
    }

    public static let all: [RecordColumns] = [
        RecordColumns(
            .quote, "quotes", time: "as_of",
            [
                ("as_of", .time, true), ("last", .decimal, false), ("bid", .decimal, false), ("ask", .decimal, false), ("bid_size", .decimal, false),
                ("ask_size", .decimal, false), ("open", .decimal, false), ("high", .decimal, false), ("low", .decimal, false), ("volume", .decimal, false),
                ("quote_volume", .decimal, false), ("change", .decimal, false), ("change_percent", .decimal, false), ("currency", .text, false),
            ]),
        RecordColumns(
            .bar, "bars", time: "start",
            [
                ("interval", .text, true), ("start", .time, true), ("open", .decimal, true), ("high", .decimal, true), ("low", .decimal, true),
                ("close", .decimal, true), ("volume", .decimal, false), ("trades", .integer, false), ("vwap", .decimal, false),
            ]),
        RecordColumns(
            .trade, "trades", time: "time",
            [
                ("trade_id", .text, false), ("time", .time, true), ("price", .decimal, true), ("size", .decimal, true), ("side", .side, false),
            ]),
        RecordColumns(.book, "books", time: "as_of", [("as_of", .time, true), ("bids", .json, true), ("asks", .json, true)]),
        RecordColumns(
            .news, "news", time: "published_at",
            [
                ("id", .text, true), ("headline", .text, true), ("summary", .text, false), ("url", .text, true), ("publisher", .text, false),
                ("published_at", .time, true), ("symbols", .json, true), ("sentiment", .decimal, false),
            ]),
        RecordColumns(.observation, "observations", time: "date", [("series", .text, true), ("date", .date, true), ("value", .decimal, false)]),
        RecordColumns(.balance, "balances", time: nil, [("asset", .text, true), ("free", .decimal, true), ("locked", .decimal, true)]),
    ]

    public static func of(_ kind: Record.Kind) -> RecordColumns {
        // `all` has every kind once, in `Record.Kind` order.
        all.first { $0.kind == kind } ?? all[0]
    }

    /// A column value as a record holds it: a decimal stays an ``ExactDecimal`` so a writer can
    /// put its digits straight into its statement or COPY buffer without a `String` per cell.
    public enum Cell {
        case null
        case integer(Int64)
        case text(String)
        case decimal(ExactDecimal)
    }

    /// The kind's column values for `payload`, in ``columns`` order.
    public static func values(of payload: Record.Payload, key: String) -> [Value] {
        var values: [Value] = []
        forEachCell(of: payload, key: key) { cell in
            switch cell {
            case .null: values.append(.null)
            case .integer(let number): values.append(.integer(number))
            case .text(let text): values.append(.text(text))
            case .decimal(let value): values.append(.text(value.description))
            }
        }
        return values
    }

    /// Calls `visit` with each of the kind's column values for `payload`, in ``columns`` order
    /// (the write path's form of ``values(of:key:)``: nothing is collected).
    public static func forEachCell(of payload: Record.Payload, key: String, _ visit: (Cell) throws -> Void) rethrows {
        // One direct call per column: no array of cells (a decimal's 128-bit mantissa in an
        // array literal of enums crashed Swift 6.3.1's debug build) and nothing allocated per row.
        switch payload {
        case .quote(let q):
            try visit(cellTime(q.asOf))
            for value in [q.last, q.bid, q.ask, q.bidSize, q.askSize, q.open, q.high, q.low, q.volume, q.quoteVolume, q.change, q.changePercent] {
                try visitDecimal(value, visit)
            }
            try visit(cellText(q.currency))
        case .bar(let b):
            try visit(.text(b.interval))
            try visit(cellTime(b.start))
            for value in [b.open, b.high, b.low, b.close] { try visit(.decimal(value)) }
            try visitDecimal(b.volume, visit)
            if let trades = b.trades { try visit(.integer(trades)) } else { try visit(.null) }
            try visitDecimal(b.vwap, visit)
        case .trade(let x):
            try visit(x.tradeID.sameBytes(as: key) ? .null : .text(x.tradeID))
            try visit(cellTime(x.time))
            try visit(.decimal(x.price))
            try visit(.decimal(x.size))
            try visit(cellText(x.side?.rawValue))
        case .book(let b):
            try visit(cellTime(b.asOf))
            try visit(.text(levels(b.bids)))
            try visit(.text(levels(b.asks)))
        case .news(let n):
            try visit(.text(n.id))
            try visit(.text(n.headline))
            try visit(cellText(n.summary))
            try visit(.text(n.url))
            try visit(cellText(n.publisher))
            try visit(cellTime(n.publishedAt))
            try visit(.text(JSONWriter.string(.array(n.symbols.map(JSONValue.string)))))
            try visitDecimal(n.sentiment, visit)
        case .observation(let o):
            try visit(.text(o.series))
            try visit(.text(o.date))
            try visitDecimal(o.value, visit)
        case .balance(let b):
            try visit(.text(b.asset))
            try visit(.decimal(b.free))
            try visit(.decimal(b.locked))
        }
    }

    private static func visitDecimal(_ value: ExactDecimal?, _ visit: (Cell) throws -> Void) rethrows {
        if let value { try visit(.decimal(value)) } else { try visit(.null) }
    }

    private static func cellText(_ value: String?) -> Cell {
        if let value { return .text(value) }
        return .null
    }

    private static func cellTime(_ value: UTCTimestamp) -> Cell { .integer(value.nanosecondsSinceEpoch) }

    static func levels(_ levels: [Book.Level]) -> String {
        JSONWriter.string(.array(levels.map { .array([.string($0.price.description), .string($0.size.description)]) }))
    }

    /// A stored value that cannot be read back as a record: which column, and why.
    public struct ReadError: Error, Sendable, CustomStringConvertible {
        public var table: String
        public var column: String
        public var problem: String
        public init(table: String, column: String, problem: String) { (self.table, self.column, self.problem) = (table, column, problem) }
        public var description: String { "\(table).\(column): \(problem)" }
    }

    /// The payload a row holds; `value` reads one of ``columns`` by name.
    public func payload(key: String, value: (String) throws -> Value) throws -> Record.Payload {
        try withoutActuallyEscaping(value) { value in try payload(key: key, reader: Reader(table: table, value: value)) }
    }

    private func payload(key: String, reader r: Reader) throws -> Record.Payload {
        switch kind {
        case .quote:
            return .quote(
                Quote(
                    asOf: try r.time("as_of"), last: try r.decimal("last"), bid: try r.decimal("bid"), ask: try r.decimal("ask"),
                    bidSize: try r.decimal("bid_size"), askSize: try r.decimal("ask_size"), open: try r.decimal("open"), high: try r.decimal("high"),
                    low: try r.decimal("low"), volume: try r.decimal("volume"), quoteVolume: try r.decimal("quote_volume"),
                    change: try r.decimal("change"), changePercent: try r.decimal("change_percent"), currency: try r.text("currency")))
        case .bar:
            return .bar(
                Bar(
                    interval: try r.required("interval"), start: try r.time("start"), open: try r.amount("open"), high: try r.amount("high"),
                    low: try r.amount("low"), close: try r.amount("close"), volume: try r.decimal("volume"), trades: try r.integer("trades"),
                    vwap: try r.decimal("vwap")))
        case .trade:
            return .trade(
                Trade(
                    tradeID: try r.text("trade_id") ?? key, time: try r.time("time"), price: try r.amount("price"), size: try r.amount("size"),
                    side: try r.text("side").flatMap(Trade.Side.init(rawValue:))))
        case .book:
            return .book(Book(asOf: try r.time("as_of"), bids: try r.levels("bids"), asks: try r.levels("asks")))
        case .news:
            return .news(
                News(
                    id: try r.required("id"), headline: try r.required("headline"), summary: try r.text("summary"), url: try r.required("url"),
                    publisher: try r.text("publisher"), publishedAt: try r.time("published_at"), symbols: try r.texts("symbols"),
                    sentiment: try r.decimal("sentiment")))
        case .observation:
            return .observation(Observation(series: try r.required("series"), date: try r.required("date"), value: try r.decimal("value")))
        case .balance:
            return .balance(Balance(asset: try r.required("asset"), free: try r.amount("free"), locked: try r.amount("locked")))
        }
    }

    /// Typed reads of one row's values.
    struct Reader {
        let table: String
        let value: (String) throws -> Value

        func fail(_ column: String, _ problem: String) -> ReadError { ReadError(table: table, column: column, problem: problem) }

        func text(_ column: String) throws -> String? {
            switch try value(column) {
            case .null: return nil
            case .text(let text): return text
            case .integer(let number): return String(number)
            }
        }

        func required(_ column: String) throws -> String {
            guard let text = try text(column) else { throw fail(column, "is NULL") }
            return text
        }

        func integer(_ column: String) throws -> Int64? {
            switch try value(column) {
            case .null: return nil
            case .integer(let number): return number
            case .text(let text):
                guard let number = Int64(text) else { throw fail(column, "'\(text.prefix(40))' is not an integer") }
                return number
            }
        }

        func decimal(_ column: String) throws -> ExactDecimal? {
            guard let text = try text(column) else { return nil }
            do { return try ExactDecimal(parsing: text) } catch { throw fail(column, "'\(text.prefix(40))' is not an exact decimal") }
        }

        func amount(_ column: String) throws -> ExactDecimal {
            guard let value = try decimal(column) else { throw fail(column, "is NULL") }
            return value
        }

        func time(_ column: String) throws -> UTCTimestamp {
            guard let nanos = try integer(column) else { throw fail(column, "is NULL") }
            return UTCTimestamp(nanosecondsSinceEpoch: nanos)
        }

        func texts(_ column: String) throws -> [String] {
            guard case .array(let items)? = try? JSONParser.parse(Array(try required(column).utf8)) else { throw fail(column, "is not a JSON array") }
            return items.compactMap(\.stringValue)
        }

        func levels(_ column: String) throws -> [Book.Level] {
            guard case .array(let rows)? = try? JSONParser.parse(Array(try required(column).utf8)) else { throw fail(column, "is not a JSON array") }
            var levels: [Book.Level] = []
            levels.reserveCapacity(rows.count)
            for row in rows {
                guard case .array(let pair) = row, pair.count == 2, let price = pair[0].decimalValue, let size = pair[1].decimalValue else {
                    throw fail(column, "holds a level that is not [price, size]")
                }
                levels.append(Book.Level(price: price, size: size))
            }
            return levels
        }
    }
}
