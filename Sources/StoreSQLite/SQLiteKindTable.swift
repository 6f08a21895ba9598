import Foundation
import GRDB
import TributaryCore

/// One record kind's typed table: its columns, how a record becomes a row and a row a record.
///
/// Every table shares the identity and bookkeeping columns — `source_key` (a small integer from
/// `sources`), `symbol`, `key` (the natural key, or the rules' `key:` identity), `batch` (the
/// provenance row in `batches`), `venue_symbol` (NULL when it equals `symbol`), `content_hash`
/// (32 bytes), `revision` and `extra_transformations` (this record's steps beyond its batch's) —
/// with `(source_key, symbol, key)` as the primary key of a `WITHOUT ROWID` table, so a lookup or
/// an upsert by natural key is one B-tree descent and no second index is kept.
///
/// Decimals are stored as their exact text as written (plain notation, the upstream's scale
/// kept, never a float); times as integer nanoseconds since the epoch (UTC).
struct SQLiteKindTable: Sendable {
    let kind: TributaryCore.Record.Kind
    let name: String
    /// The kind's own columns with their SQL types, in row order.
    let columns: [(name: String, type: String)]
    /// The column the latest view orders by (nil: a balance has no time).
    let timeColumn: String?

    static let common = ["source_key", "symbol", "key", "batch", "venue_symbol", "content_hash", "revision", "extra_transformations"]

    static let all: [SQLiteKindTable] = [
        SQLiteKindTable(kind: .quote, name: "quotes", columns: [
            ("as_of", "INTEGER NOT NULL"), ("last", "TEXT"), ("bid", "TEXT"), ("ask", "TEXT"), ("bid_size", "TEXT"), ("ask_size", "TEXT"),
            ("open", "TEXT"), ("high", "TEXT"), ("low", "TEXT"), ("volume", "TEXT"), ("quote_volume", "TEXT"), ("change", "TEXT"),
            ("change_percent", "TEXT"), ("currency", "TEXT"),
        ], timeColumn: "as_of"),
        SQLiteKindTable(kind: .bar, name: "bars", columns: [
            ("interval", "TEXT NOT NULL"), ("start", "INTEGER NOT NULL"), ("open", "TEXT NOT NULL"), ("high", "TEXT NOT NULL"),
            ("low", "TEXT NOT NULL"), ("close", "TEXT NOT NULL"), ("volume", "TEXT"), ("trades", "INTEGER"), ("vwap", "TEXT"),
        ], timeColumn: "start"),
        SQLiteKindTable(kind: .trade, name: "trades", columns: [
            ("trade_id", "TEXT"), ("time", "INTEGER NOT NULL"), ("price", "TEXT NOT NULL"), ("size", "TEXT NOT NULL"), ("side", "TEXT"),
        ], timeColumn: "time"),
        SQLiteKindTable(kind: .book, name: "books", columns: [
            ("as_of", "INTEGER NOT NULL"), ("bids", "TEXT NOT NULL"), ("asks", "TEXT NOT NULL"),
        ], timeColumn: "as_of"),
        SQLiteKindTable(kind: .news, name: "news", columns: [
            ("id", "TEXT NOT NULL"), ("headline", "TEXT NOT NULL"), ("summary", "TEXT"), ("url", "TEXT NOT NULL"), ("publisher", "TEXT"),
            ("published_at", "INTEGER NOT NULL"), ("symbols", "TEXT NOT NULL"), ("sentiment", "TEXT"),
        ], timeColumn: "published_at"),
        SQLiteKindTable(kind: .observation, name: "observations", columns: [
            ("series", "TEXT NOT NULL"), ("date", "TEXT NOT NULL"), ("value", "TEXT"),
        ], timeColumn: "date"),
        SQLiteKindTable(kind: .balance, name: "balances", columns: [
            ("asset", "TEXT NOT NULL"), ("free", "TEXT NOT NULL"), ("locked", "TEXT NOT NULL"),
        ], timeColumn: nil),
    ]

    static func table(for kind: TributaryCore.Record.Kind) -> SQLiteKindTable {
        // `all` lists every kind once; the switch in `values(of:)` keeps them in step.
        all.first { $0.kind == kind } ?? all[0]
    }

    var createSQL: String {
        let kindColumns = columns.map { "\($0.name) \($0.type)" }.joined(separator: ", ")
        var sql = """
            CREATE TABLE \(name) (
                source_key INTEGER NOT NULL, symbol TEXT NOT NULL, key TEXT NOT NULL, batch INTEGER NOT NULL,
                venue_symbol TEXT, content_hash BLOB NOT NULL, revision INTEGER NOT NULL DEFAULT 1, extra_transformations TEXT,
                \(kindColumns),
                PRIMARY KEY (source_key, symbol, key)
            ) WITHOUT ROWID;
            """
        if let timeColumn { sql += "\nCREATE INDEX \(name)_latest ON \(name) (symbol, source_key, \(timeColumn));" }
        return sql
    }

    /// The kind's column values for `payload`, in `columns` order.
    static func values(of payload: TributaryCore.Record.Payload, key: String) -> [(any DatabaseValueConvertible)?] {
        func text(_ value: ExactDecimal?) -> String? { value?.description }
        switch payload {
        case .quote(let q):
            return [q.asOf.nanosecondsSinceEpoch, text(q.last), text(q.bid), text(q.ask), text(q.bidSize), text(q.askSize), text(q.open),
                    text(q.high), text(q.low), text(q.volume), text(q.quoteVolume), text(q.change), text(q.changePercent), q.currency]
        case .bar(let b):
            return [b.interval, b.start.nanosecondsSinceEpoch, text(b.open), text(b.high), text(b.low), text(b.close), text(b.volume), b.trades, text(b.vwap)]
        case .trade(let t):
            return [t.tradeID == key ? nil : t.tradeID, t.time.nanosecondsSinceEpoch, text(t.price), text(t.size), t.side?.rawValue]
        case .book(let b):
            return [b.asOf.nanosecondsSinceEpoch, levels(b.bids), levels(b.asks)]
        case .news(let n):
            return [n.id, n.headline, n.summary, n.url, n.publisher, n.publishedAt.nanosecondsSinceEpoch,
                    JSONWriter.string(.array(n.symbols.map(JSONValue.string))), text(n.sentiment)]
        case .observation(let o):
            return [o.series, o.date, text(o.value)]
        case .balance(let b):
            return [b.asset, text(b.free), text(b.locked)]
        }
    }

    /// The payload a row of this table holds (`key` supplies a trade id stored only as the key).
    func payload(from row: Row, key: String) throws(StoredRowError) -> TributaryCore.Record.Payload {
        let r = RowReader(row: row, table: name)
        switch kind {
        case .quote:
            return .quote(Quote(
                asOf: try r.time("as_of"), last: try r.decimal("last"), bid: try r.decimal("bid"), ask: try r.decimal("ask"),
                bidSize: try r.decimal("bid_size"), askSize: try r.decimal("ask_size"), open: try r.decimal("open"), high: try r.decimal("high"),
                low: try r.decimal("low"), volume: try r.decimal("volume"), quoteVolume: try r.decimal("quote_volume"),
                change: try r.decimal("change"), changePercent: try r.decimal("change_percent"), currency: r.text("currency")))
        case .bar:
            return .bar(Bar(interval: try r.required("interval"), start: try r.time("start"), open: try r.amount("open"), high: try r.amount("high"),
                            low: try r.amount("low"), close: try r.amount("close"), volume: try r.decimal("volume"), trades: row["trades"],
                            vwap: try r.decimal("vwap")))
        case .trade:
            let side = r.text("side")
            return .trade(Trade(tradeID: r.text("trade_id") ?? key, time: try r.time("time"), price: try r.amount("price"), size: try r.amount("size"),
                                side: side.flatMap(Trade.Side.init(rawValue:))))
        case .book:
            return .book(Book(asOf: try r.time("as_of"), bids: try r.levels("bids"), asks: try r.levels("asks")))
        case .news:
            return .news(News(id: try r.required("id"), headline: try r.required("headline"), summary: r.text("summary"), url: try r.required("url"),
                              publisher: r.text("publisher"), publishedAt: try r.time("published_at"), symbols: try r.texts("symbols"),
                              sentiment: try r.decimal("sentiment")))
        case .observation:
            return .observation(Observation(series: try r.required("series"), date: try r.required("date"), value: try r.decimal("value")))
        case .balance:
            return .balance(Balance(asset: try r.required("asset"), free: try r.amount("free"), locked: try r.amount("locked")))
        }
    }

    static func levels(_ levels: [Book.Level]) -> String {
        JSONWriter.string(.array(levels.map { .array([.string($0.price.description), .string($0.size.description)]) }))
    }
}

/// A stored row that cannot be read back as a record (a hand-edited database, say): which table
/// and column, so the message says where to look.
struct StoredRowError: Error, CustomStringConvertible {
    var table: String
    var column: String
    var problem: String
    var description: String { "\(table).\(column): \(problem)" }
}

/// Typed reads of one row's columns.
struct RowReader {
    let row: Row
    let table: String

    func fail(_ column: String, _ problem: String) -> StoredRowError { StoredRowError(table: table, column: column, problem: problem) }

    func text(_ column: String) -> String? { row[column] }

    func required(_ column: String) throws(StoredRowError) -> String {
        guard let text: String = row[column] else { throw fail(column, "is NULL") }
        return text
    }

    func decimal(_ column: String) throws(StoredRowError) -> ExactDecimal? {
        guard let text: String = row[column] else { return nil }
        do { return try ExactDecimal(parsing: text) } catch { throw fail(column, "'\(text.prefix(40))' is not an exact decimal") }
    }

    func amount(_ column: String) throws(StoredRowError) -> ExactDecimal {
        guard let value = try decimal(column) else { throw fail(column, "is NULL") }
        return value
    }

    func time(_ column: String) throws(StoredRowError) -> UTCTimestamp {
        guard let nanos: Int64 = row[column] else { throw fail(column, "is NULL") }
        return UTCTimestamp(nanosecondsSinceEpoch: nanos)
    }

    func texts(_ column: String) throws(StoredRowError) -> [String] {
        let text = try required(column)
        guard case .array(let items)? = try? JSONParser.parse(Array(text.utf8)) else { throw fail(column, "is not a JSON array") }
        return items.compactMap(\.stringValue)
    }

    func levels(_ column: String) throws(StoredRowError) -> [Book.Level] {
        let text = try required(column)
        guard case .array(let rows)? = try? JSONParser.parse(Array(text.utf8)) else { throw fail(column, "is not a JSON array") }
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
