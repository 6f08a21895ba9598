import Pipeline
import TributaryCore

/// SQL views that read like the record model: one row per record, times as RFC 3339 text with
/// milliseconds (UTC), decimals as their exact text, the source by name, the content hash as
/// `sha256:<hex>`. For people at the `sqlite3` prompt and for tools; Tributary reads the tables.
///
/// `quotes_view`, `bars_view`, `trades_view`, `books_view`, `news_view`, `observations_view`,
/// `balances_view`.
enum SQLiteViews {
    /// RFC 3339 text of an integer-nanosecond column, correct before 1970 too (floor division).
    static func rfc3339(_ column: String) -> String {
        let seconds = "((\(column) - ((\(column) % 1000000000) + 1000000000) % 1000000000) / 1000000000)"
        let millis = "((((\(column) % 1000000000) + 1000000000) % 1000000000) / 1000000)"
        return "(strftime('%Y-%m-%dT%H:%M:%S', \(seconds), 'unixepoch') || printf('.%03dZ', \(millis)))"
    }

    static func view(for table: SQLiteKindTable) -> String {
        let timeColumns: Set<String> = ["as_of", "start", "time", "published_at"]
        let kindColumns = table.columns.columns.map { column -> String in
            if timeColumns.contains(column.name) { return "\(rfc3339("t." + column.name)) AS \(column.name)" }
            if column.type == .side { return "\(SQLiteSide.textSQL("t." + column.name)) AS \(column.name)" }
            if table.kind == .trade, column.name == "trade_id" { return "COALESCE(t.trade_id, CAST(t.key AS TEXT)) AS trade_id" }
            return "t.\(column.name)"
        }
        return """
            CREATE VIEW \(table.name)_view AS
            SELECT s.id AS source, b.endpoint AS endpoint, y.symbol AS symbol, COALESCE(t.venue_symbol, y.symbol) AS venue_symbol,
                   \(kindColumns.joined(separator: ", ")),
                   CAST(t.key AS TEXT) AS natural_key, t.revision AS revision, 'sha256:' || lower(hex(t.content_hash)) AS content_hash,
                   b.source_type AS source_type, b.source_uri AS source_uri, b.request_id AS request_id,
                   \(rfc3339("b.observed_at")) AS observed_at, \(rfc3339("b.ingested_at")) AS ingested_at
            FROM \(table.name) t JOIN sources s ON s.key = t.source_key JOIN symbols y ON y.key = t.symbol_key JOIN batches b ON b.id = t.batch;
            """
    }
}
