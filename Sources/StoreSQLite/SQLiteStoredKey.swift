import GRDB
import TributaryCore

/// A record's natural key as the kind tables store it: a key that is a plain non-negative integer
/// (`"0"`, `"4170001"` — what trade ids almost always are) as an SQLite INTEGER, any other key as
/// its exact TEXT.
///
/// Why: an integer key is 1–8 bytes instead of one per digit, and integer keys sort in numeric
/// order, so ids that arrive in order append to the B-tree (full pages) instead of landing between
/// keys of fewer digits (`"100000"` sorts before `"10001"` as text) and splitting pages half full;
/// and a time span's key range (``SQLiteTimeSpans``) stays tight. Only the canonical form becomes
/// an integer — no sign, no leading zero, at most 18 digits — so converting back gives the same
/// text and `"007"` and `"7"` stay two keys.
///
/// The `key` column has no declared type (no affinity), so SQLite keeps what is bound: every
/// statement binds a key through this type, and SQLite orders integers before texts, integers by
/// value and texts by their bytes — ``precedes(_:)`` is that order.
enum SQLiteStoredKey: Hashable, Sendable, DatabaseValueConvertible {
    case integer(Int64)
    case text(String)

    init(_ key: String) {
        self = CanonicalDigits.value(key).map(Self.integer) ?? .text(key)
    }

    /// The key's text (an integer printed in decimal, which is the text it came from).
    var string: String {
        switch self {
        case .integer(let number): String(number)
        case .text(let text): text
        }
    }

    var databaseValue: DatabaseValue {
        switch self {
        case .integer(let number): number.databaseValue
        case .text(let text): text.databaseValue
        }
    }

    static func fromDatabaseValue(_ dbValue: DatabaseValue) -> SQLiteStoredKey? {
        switch dbValue.storage {
        case .int64(let number): .integer(number)
        case .string(let text): .text(text)
        case .null, .double, .blob: nil
        }
    }

    /// SQLite's order of the `key` column (BINARY collation): integers first by value, then texts
    /// by their UTF-8 bytes.
    func precedes(_ other: SQLiteStoredKey) -> Bool {
        switch (self, other) {
        case (.integer(let a), .integer(let b)): a < b
        case (.integer, .text): true
        case (.text, .integer): false
        case (.text(let a), .text(let b)): a.precedesByBytes(b)
        }
    }

    /// The SQL test of ``CanonicalDigits``' rule, for converting a column of text keys in place.
    static func isCanonicalIntegerSQL(_ column: String) -> String {
        "(\(column) = '0' OR (length(\(column)) <= 18 AND \(column) GLOB '[1-9]*' AND \(column) NOT GLOB '*[^0-9]*'))"
    }
}
