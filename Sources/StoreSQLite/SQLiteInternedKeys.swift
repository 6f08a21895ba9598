import GRDB
import TributaryCore

/// The small integers that texts repeated in every record row are stored as: a source id
/// (`sources.key`) and a symbol (`symbols.key`). Each text is stored once in its table; a row
/// holds one or two bytes instead of the text.
struct SQLiteInternedKeys {
    enum Kind {
        case source, symbol

        var table: String { self == .source ? "sources" : "symbols" }
        var column: String { self == .source ? "id" : "symbol" }
    }

    let kind: Kind
    private var cache: [String: Int64] = [:]
    /// The last text asked for: consecutive rows mostly share it, so most rows cost a byte
    /// comparison instead of a hash of the text.
    private var last: (text: String, key: Int64)?

    init(_ kind: Kind) { self.kind = kind }

    /// The key of `text`, stored now when it is new.
    mutating func key(_ text: String, in db: Database) throws -> Int64 {
        if let last, last.text.sameBytes(as: text) { return last.key }
        let key: Int64
        if let cached = cache[text] {
            key = cached
        } else {
            try db.execute(sql: "INSERT OR IGNORE INTO \(kind.table) (\(kind.column)) VALUES (?)", arguments: [text])
            guard let stored = try Self.existing(text, kind, in: db) else {
                throw StoredRowError(table: kind.table, column: kind.column, problem: "'\(text.prefix(80))' was not stored")
            }
            key = stored
            cache[text] = key
        }
        last = (text, key)
        return key
    }

    /// The key of a stored text; nil when it was never stored (so no row can hold it).
    static func existing(_ text: String, _ kind: Kind, in db: Database) throws -> Int64? {
        try Int64.fetchOne(db, sql: "SELECT key FROM \(kind.table) WHERE \(kind.column) = ?", arguments: [text])
    }
}
