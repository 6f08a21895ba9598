import GRDB
import Pipeline
import TributaryCore

/// Reads by time of the kinds with a time, through their spans (``SQLiteTimeSpans``): find the
/// buckets a read covers, read each (source, symbol)'s key range of them on the primary key,
/// keep the rows whose exact time is in range.
extension SQLiteStore {
    /// A page of `query` (a kind with spans) after `cursor`, oldest first: windows of buckets are
    /// read in time order, each just large enough (by its spans' row counts) to fill what is left
    /// of the page, so a page reads about its own rows rather than the rest of the table.
    static func spannedRecords(
        _ query: RecordQuery, table: SQLiteKindTable, after cursor: RecordQuery.Cursor?, limit: Int, in db: Database
    ) throws -> [Envelope] {
        guard let time = table.timeColumn, limit > 0 else { return [] }
        var sourceKey: Int64?, symbolKey: Int64?
        if let source = query.source {
            guard let key = try SQLiteInternedKeys.existing(source.rawValue, .source, in: db) else { return [] }
            sourceKey = key
        }
        if let symbol = query.symbol {
            guard let key = try SQLiteInternedKeys.existing(symbol, .symbol, in: db) else { return [] }
            symbolKey = key
        }
        var lower = query.from?.nanosecondsSinceEpoch ?? .min
        if let after = cursor?.time { lower = max(lower, after) }
        // The last nanosecond a read may return (`to` is exclusive).
        var last = Int64.max
        if let to = query.to?.nanosecondsSinceEpoch {
            guard to > .min, lower < to else { return [] }
            last = to - 1
        }
        var envelopes: [Envelope] = []
        var decoder = SQLiteRowDecoder(table: table)
        while envelopes.count < limit {
            let need = limit - envelopes.count
            guard let window = try SpanWindow.next(table, symbolKey: symbolKey, sourceKey: sourceKey, from: lower, through: last, rows: need, in: db)
            else { break }
            var conditions = ["t.\(time) >= ?", "t.\(time) <= ?"]
            var arguments: StatementArguments = [lower, window.last]
            if let ranges = window.ranges {
                conditions.append("(" + ranges.map { _ in "(t.source_key = ? AND t.symbol_key = ? AND t.key BETWEEN ? AND ?)" }.joined(separator: " OR ") + ")")
                for range in ranges { arguments += [range.sourceKey, range.symbolKey, range.first, range.last] }
            } else {
                if let symbolKey { conditions.append("t.symbol_key = ?"); arguments += [symbolKey] }
                if let sourceKey { conditions.append("t.source_key = ?"); arguments += [sourceKey] }
            }
            if let cursor {
                conditions.append("(t.\(time), s.id, y.symbol, t.key) > (?, ?, ?, ?)")
                arguments += [cursor.time ?? .min, cursor.source, cursor.symbol, SQLiteStoredKey(cursor.key)]
            }
            let sql = """
                \(selectSQL(table)) WHERE \(conditions.joined(separator: " AND "))
                ORDER BY t.\(time), s.id, y.symbol, t.key LIMIT \(need)
                """
            envelopes += try decoder.envelopes(Row.fetchAll(db, sql: sql, arguments: arguments))
            guard window.last < last else { break }
            lower = window.last + 1
        }
        return envelopes
    }

    /// The newest record of `symbol` per source (a kind with spans): per source, its buckets from
    /// the newest down until one holds a row with a time in it.
    static func spannedLatest(symbolKey: Int64, table: SQLiteKindTable, in db: Database) throws -> [Envelope] {
        guard let time = table.timeColumn else { return [] }
        let spans = SQLiteTimeSpans.name(table)
        let grid = SQLiteTimeSpans.Buckets.of(table.kind)
        var newest: [Envelope] = []
        var decoder = SQLiteRowDecoder(table: table)
        for sourceKey in try Int64.fetchAll(db, sql: "SELECT key FROM sources ORDER BY id") {
            let buckets = try Row.fetchCursor(
                db, sql: "SELECT bucket, first_key, last_key FROM \(spans) WHERE symbol_key = ? AND source_key = ? ORDER BY bucket DESC",
                arguments: [symbolKey, sourceKey])
            while let bucket = try buckets.next() {
                let number: Int64 = bucket["bucket"]
                let row = try Row.fetchOne(
                    db,
                    sql: """
                        \(selectSQL(table)) WHERE t.source_key = ? AND t.symbol_key = ? AND t.key BETWEEN ? AND ? AND t.\(time) BETWEEN ? AND ?
                        ORDER BY t.\(time) DESC, t.key DESC LIMIT 1
                        """,
                    arguments: [
                        sourceKey, symbolKey, bucket["first_key"] as DatabaseValue, bucket["last_key"] as DatabaseValue,
                        grid.firstNanosecond(of: number), grid.lastNanosecond(of: number),
                    ])
                if let row {
                    newest.append(try decoder.envelope(row))
                    break
                }
            }
        }
        return newest
    }
}

/// The buckets one step of a read covers: from its lower time through ``last``, with each
/// (source, symbol)'s key range over them.
struct SpanWindow {
    struct KeyRange {
        var sourceKey: Int64
        var symbolKey: Int64
        var first: SQLiteStoredKey
        var last: SQLiteStoredKey
    }

    /// The last nanosecond this window covers (inclusive).
    var last: Int64
    /// The key ranges to read; nil when they are too many to list (read by time and filters alone).
    var ranges: [KeyRange]?

    /// More key ranges than this and a window reads by time alone (a scan, still correct).
    static let maxRanges = 256

    /// The window from `from` that holds at least `rows` rows by its spans' counts (whole
    /// buckets), or every bucket through `through`; nil when no span lies in between.
    static func next(
        _ table: SQLiteKindTable, symbolKey: Int64?, sourceKey: Int64?, from: Int64, through: Int64, rows: Int, in db: Database
    ) throws -> SpanWindow? {
        let spans = SQLiteTimeSpans.name(table)
        var conditions = ["bucket >= ?", "bucket <= ?"]
        let buckets = SQLiteTimeSpans.Buckets.of(table.kind)
        var arguments: StatementArguments = [buckets.bucket(from), buckets.bucket(through)]
        if let symbolKey { conditions.append("symbol_key = ?"); arguments += [symbolKey] }
        if let sourceKey { conditions.append("source_key = ?"); arguments += [sourceKey] }
        // In bucket order from the bucket index, so a window stops reading spans where it ends
        // (without it SQLite would take every span of the symbol and sort them).
        let cursor = try Row.fetchCursor(
            db,
            sql: """
                SELECT bucket, symbol_key, source_key, first_key, last_key, rows FROM \(spans) INDEXED BY \(spans)_bucket
                WHERE \(conditions.joined(separator: " AND ")) ORDER BY bucket
                """, arguments: arguments)
        struct Pair: Hashable {
            var sourceKey: Int64
            var symbolKey: Int64
        }
        var ranges: [Pair: KeyRange] = [:]
        var counted: Int64 = 0
        var lastBucket: Int64?
        var complete = true
        while let span = try cursor.next() {
            let bucket: Int64 = span["bucket"]
            if let lastBucket, bucket != lastBucket, counted >= Int64(rows) || ranges.count >= maxRanges {
                complete = false
                break
            }
            lastBucket = bucket
            counted += span["rows"] as Int64
            guard let first = span["first_key"] as SQLiteStoredKey?, let last = span["last_key"] as SQLiteStoredKey? else {
                throw StoredRowError(table: spans, column: "first_key", problem: "is not an integer or text key")
            }
            let pair = Pair(sourceKey: span["source_key"], symbolKey: span["symbol_key"])
            if var range = ranges[pair] {
                if first.precedes(range.first) { range.first = first }
                if range.last.precedes(last) { range.last = last }
                ranges[pair] = range
            } else {
                ranges[pair] = KeyRange(sourceKey: pair.sourceKey, symbolKey: pair.symbolKey, first: first, last: last)
            }
        }
        guard let lastBucket else { return nil }
        let end = complete ? through : min(through, buckets.lastNanosecond(of: lastBucket))
        return SpanWindow(last: end, ranges: ranges.count > maxRanges ? nil : Array(ranges.values))
    }
}
