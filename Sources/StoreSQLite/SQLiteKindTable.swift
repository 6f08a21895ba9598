import Foundation
import GRDB
import Pipeline
import TributaryCore

/// One record kind's typed table in SQLite: ``RecordColumns`` with SQLite's types (times and
/// integers INTEGER, decimals, text, JSON and dates TEXT).
///
/// Every table shares the identity and bookkeeping columns — `source_key` (a small integer from
/// `sources`), `symbol_key` (one from `symbols`: a symbol's text is not repeated in every row),
/// `key` (the natural key, or the rules' `key:` identity), `batch` (the
/// provenance row in `batches`), `venue_symbol` (NULL when it equals `symbol`), `content_hash`
/// (32 bytes), `revision`, and this record's steps beyond its batch's: `line` for an imported row's
/// `line:N` (an integer), `extra_transformations` (a JSON array) for any other —
/// with `(source_key, symbol_key, key)` as the primary key of a `WITHOUT ROWID` table, so a lookup or
/// an upsert by natural key is one B-tree descent. `key` has no declared type: an integer key is
/// stored as an integer (``SQLiteStoredKey``). A kind with a time has a coarse time index beside
/// it (``SQLiteTimeSpans``) rather than a secondary index; observations (dated by day, few) keep
/// an index on `(symbol_key, source_key, date)`.
struct SQLiteKindTable: Sendable {
    let columns: RecordColumns
    var kind: TributaryCore.Record.Kind { columns.kind }
    var name: String { columns.table }
    var timeColumn: String? { columns.timeColumn }
    /// True for the kinds whose time is a nanosecond column, read by time through ``SQLiteTimeSpans``.
    let hasSpans: Bool
    /// The column holding a trade's side as its code (``SQLiteSide``), if the kind has one.
    let sideColumn: String?
    /// Per kind column: true for a side, bound as its code.
    let sideColumns: [Bool]

    /// Derives, once per table rather than per row, what the write and read paths ask of every row.
    init(columns: RecordColumns) {
        self.columns = columns
        hasSpans = columns.columns.contains { $0.name == columns.timeColumn && $0.type == .time }
        sideColumn = columns.columns.first { $0.type == .side }?.name
        sideColumns = columns.columns.map { $0.type == .side }
    }

    static let common = ["source_key", "symbol_key", "key", "batch", "venue_symbol", "content_hash", "revision", "extra_transformations", "line"]

    static let all = RecordColumns.all.map(SQLiteKindTable.init(columns:))

    static func table(for kind: TributaryCore.Record.Kind) -> SQLiteKindTable { SQLiteKindTable(columns: RecordColumns.of(kind)) }

    /// The table with its index (observations) or spans (the kinds with a time).
    var createSQL: String {
        var sql = tableSQL(named: name)
        if hasSpans {
            sql += "\n" + SQLiteTimeSpans.createSQL(self)
        } else if let timeColumn {
            sql += "\nCREATE INDEX \(name)_latest ON \(name) (symbol_key, source_key, \(timeColumn));"
        }
        return sql
    }

    /// The table alone, under `name` (a rebuild creates it beside the old one).
    func tableSQL(named name: String) -> String {
        let kindColumns = columns.columns.map { column -> String in
            let type =
                switch column.type {
                case .time, .integer, .side: "INTEGER"
                case .decimal, .text, .json, .date: "TEXT"
                }
            return "\(column.name) \(type)\(column.required ? " NOT NULL" : "")"
        }
        return """
            CREATE TABLE \(name) (
                source_key INTEGER NOT NULL, symbol_key INTEGER NOT NULL, key NOT NULL, batch INTEGER NOT NULL,
                venue_symbol TEXT, content_hash BLOB NOT NULL, revision INTEGER NOT NULL DEFAULT 1, extra_transformations TEXT,
                \(kindColumns.joined(separator: ", ")), line INTEGER,
                PRIMARY KEY (source_key, symbol_key, key)
            ) WITHOUT ROWID;
            """
    }

    /// The payload of a row of this table, its columns' values by name from `value`.
    func payload(key: String, value: (String) -> DatabaseValue) throws -> TributaryCore.Record.Payload {
        try columns.payload(key: key) { name in
            switch value(name).storage {
            case .null: .null
            case .int64(let number) where name == sideColumn: SQLiteSide.text(number).map(RecordColumns.Value.text) ?? .integer(number)
            case .int64(let number): .integer(number)
            case .string(let text): .text(text)
            case .double(let number): .text(String(number))
            case .blob(let data): .text(String(decoding: data, as: UTF8.self))
            }
        }
    }
}

/// A stored row that cannot be read back (a hand-edited database, say): which table and column.
struct StoredRowError: Error, CustomStringConvertible {
    var table: String
    var column: String
    var problem: String
    var description: String { "\(table).\(column): \(problem)" }
}
