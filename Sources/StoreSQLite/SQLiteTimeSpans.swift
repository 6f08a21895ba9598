import GRDB
import Pipeline
import TributaryCore

/// A coarse time index for the kind tables whose records carry a time (quotes, bars, trades,
/// books, news), kept instead of a secondary index on the time.
///
/// Why: a secondary index of a `WITHOUT ROWID` table repeats the whole primary key in every
/// entry, so `(symbol, source_key, time)` cost ~25 bytes a trade — more than a third of the
/// row — and a B-tree insert per record. A span is one row per (symbol, source, bucket of time):
/// the smallest and largest key written with a time in that bucket, and how many rows were
/// written there. A bucket is a power of two of nanoseconds, per kind (``Buckets/of(_:)``). A read by time range looks up the buckets it covers, then reads each
/// (source, symbol)'s key range on the primary key and filters by the exact time; trade ids and
/// RFC 3339 keys grow with time, so the ranges are tight.
///
/// Spans only ever widen: a revision that moves a record to another time adds it to its new
/// bucket and leaves the old one as it was, so every row is inside the span of the bucket its
/// time is in (a span may cover more than it holds; reads filter by time, never trust the span).
enum SQLiteTimeSpans {
    /// A kind's buckets: 2^shift nanoseconds, `time >> shift` (floor division, also before 1970).
    struct Buckets {
        let shift: Int64

        /// Wide enough that a span holds many rows of the kind's usual density (a span per row
        /// would cost as much as the index), narrow enough that a page of a read scans few rows
        /// beyond its own: trades ~8.6 s (2^33 ns: a busy market's thousands a second), quotes
        /// and books ~34 s (2^35: a poll or a push a second or more), bars and news ~73 min
        /// (2^42: a 1-minute bar series puts 73 bars in a span, a 1-second series 4,398).
        static func of(_ kind: TributaryCore.Record.Kind) -> Buckets {
            switch kind {
            case .trade: Buckets(shift: 33)
            case .quote, .book: Buckets(shift: 35)
            case .bar, .news, .observation, .balance: Buckets(shift: 42)
            }
        }

        func bucket(_ nanoseconds: Int64) -> Int64 { nanoseconds >> shift }
        func firstNanosecond(of bucket: Int64) -> Int64 { bucket << shift }
        /// The bucket's last nanosecond (inclusive, so the last bucket ends at `Int64.max` without overflow).
        func lastNanosecond(of bucket: Int64) -> Int64 { bucket << shift | (1 << shift - 1) }
    }

    static func name(_ table: SQLiteKindTable) -> String { "\(table.name)_spans" }

    static func createSQL(_ table: SQLiteKindTable) -> String {
        """
        CREATE TABLE \(name(table)) (
            symbol_key INTEGER NOT NULL, source_key INTEGER NOT NULL, bucket INTEGER NOT NULL,
            first_key NOT NULL, last_key NOT NULL, rows INTEGER NOT NULL,
            PRIMARY KEY (symbol_key, source_key, bucket)
        ) WITHOUT ROWID;
        CREATE INDEX \(name(table))_bucket ON \(name(table)) (bucket);
        """
    }

    /// The spans of rows already in `table` (a store written before spans existed).
    static func fillSQL(_ table: SQLiteKindTable, time: String) -> String {
        """
        INSERT INTO \(name(table)) (symbol_key, source_key, bucket, first_key, last_key, rows)
        SELECT symbol_key, source_key, \(time) >> \(Buckets.of(table.kind).shift), MIN(key), MAX(key), COUNT(*) FROM \(table.name) GROUP BY 1, 2, 3
        """
    }

    /// Widens (or adds) one span by what a write stored.
    static func upsertSQL(_ table: SQLiteKindTable) -> String {
        """
        INSERT INTO \(name(table)) (symbol_key, source_key, bucket, first_key, last_key, rows) VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT DO UPDATE SET first_key = min(first_key, excluded.first_key), last_key = max(last_key, excluded.last_key),
                                  rows = rows + excluded.rows
        """
    }
}

/// The spans one write widens, gathered per record and written once per span at the end.
struct SQLiteSpanTally {
    struct Span: Hashable {
        var kind: TributaryCore.Record.Kind
        var sourceKey: Int64
        var symbolKey: Int64
        var bucket: Int64
    }

    struct Extent {
        var first: SQLiteStoredKey
        var last: SQLiteStoredKey
        var rows: Int64

        mutating func add(_ key: SQLiteStoredKey) {
            if key.precedes(first) { first = key }
            if last.precedes(key) { last = key }
            rows += 1
        }
    }

    private var spans: [Span: Extent] = [:]
    /// The span being added to: consecutive records are mostly one source, symbol and bucket, so
    /// most records update it without a dictionary lookup.
    private var current: (span: Span, extent: Extent)?

    mutating func add(kind: TributaryCore.Record.Kind, sourceKey: Int64, symbolKey: Int64, time: Int64, key: SQLiteStoredKey) {
        let bucket = SQLiteTimeSpans.Buckets.of(kind).bucket(time)
        if var run = current, run.span.bucket == bucket, run.span.sourceKey == sourceKey, run.span.symbolKey == symbolKey, run.span.kind == kind {
            run.extent.add(key)
            current = run
            return
        }
        flush()
        let span = Span(kind: kind, sourceKey: sourceKey, symbolKey: symbolKey, bucket: bucket)
        var extent = spans.removeValue(forKey: span) ?? Extent(first: key, last: key, rows: 0)
        extent.add(key)
        current = (span, extent)
    }

    private mutating func flush() {
        if let current { spans[current.span] = current.extent }
        current = nil
    }

    /// Writes every span touched, one statement per kind.
    mutating func write(in db: Database) throws {
        flush()
        var statements: [TributaryCore.Record.Kind: Statement] = [:]
        for (span, extent) in spans {
            let statement: Statement
            if let prepared = statements[span.kind] {
                statement = prepared
            } else {
                statement = try db.cachedStatement(sql: SQLiteTimeSpans.upsertSQL(SQLiteKindTable.table(for: span.kind)))
                statements[span.kind] = statement
            }
            try statement.execute(arguments: [span.symbolKey, span.sourceKey, span.bucket, extent.first, extent.last, extent.rows])
        }
        spans.removeAll()
    }
}
