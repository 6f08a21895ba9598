import Foundation
import GRDB
import Testing

@testable import StoreSQLite

/// The kind tables as stores before schema v14 made them: each row's symbol as text, `key TEXT`,
/// an index on `(symbol, source_key, time)` per kind with a time, no spans, a trade's side as
/// text. Today's code makes today's shape at every version, so the migration tests turn its
/// tables back into this one, rows and all.
enum Version13Tables {
    static func downgrade(in db: Database) throws {
        for table in SQLiteKindTable.all {
            let current = table.tableSQL(named: "\(table.name)_old")
            let old =
                current
                .replacingOccurrences(of: "symbol_key INTEGER NOT NULL", with: "symbol TEXT NOT NULL")
                .replacingOccurrences(of: "PRIMARY KEY (source_key, symbol_key, key)", with: "PRIMARY KEY (source_key, symbol, key)")
                .replacingOccurrences(of: " key NOT NULL,", with: " key TEXT NOT NULL,")
                .replacingOccurrences(of: "side INTEGER", with: "side TEXT")
            try #require(!old.contains("symbol_key") && old.contains("key TEXT"), "the kind tables' shape changed: update this fixture")
            let columns = try db.columns(in: table.name).map(\.name)
            let selected = columns.map { name in
                switch name {
                case "symbol_key": "(SELECT symbol FROM symbols WHERE key = symbol_key)"
                case "side": SQLiteSide.textSQL(name)
                default: name
                }
            }
            try db.execute(sql: "DROP VIEW IF EXISTS \(table.name)_view")
            try db.execute(sql: old)
            try db.execute(
                sql: """
                    INSERT INTO \(table.name)_old (\(columns.map { $0 == "symbol_key" ? "symbol" : $0 }.joined(separator: ", ")))
                    SELECT \(selected.joined(separator: ", ")) FROM \(table.name)
                    """)
            try db.execute(sql: "DROP TABLE \(table.name)")
            try db.execute(sql: "DROP TABLE IF EXISTS \(SQLiteTimeSpans.name(table))")
            try db.execute(sql: "ALTER TABLE \(table.name)_old RENAME TO \(table.name)")
            if let time = table.timeColumn { try db.execute(sql: "CREATE INDEX \(table.name)_latest ON \(table.name) (symbol, source_key, \(time))") }
        }
        try db.execute(sql: "DROP TABLE symbols")
        try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier LIKE 'v14:%'")
    }
}
