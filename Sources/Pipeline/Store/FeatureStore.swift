import TributaryCore

/// Feature rows (windowed features computed from records) and the checkpoints of backfills.
///
/// Rows are upserted by (set, version, source, symbol, window, start): an identical content
/// hash leaves the row unchanged, another replaces it and bumps its revision — so a `correct`
/// re-emission, or a backfill over windows streaming already wrote, is counted for what it is.
public protocol FeatureStore: Sendable {
    /// Upserts the rows and, in the same transaction, saves the checkpoint (a backfill's
    /// progress), so a killed backfill resumes exactly after the last batch it committed.
    @discardableResult
    func upsertFeatures(_ rows: [FeatureRow], computedBy: String, at time: UTCTimestamp, checkpoint: FeatureCheckpoint?) async throws -> WriteResult

    /// The newest row per (source, window) of the set's newest version for a symbol.
    func latestFeatures(set: String, symbol: String) async throws -> [StoredFeatureRow]

    /// A set's rows of one version, oldest first (by start, then source, symbol, window), after `cursor`.
    func featureRows(set: String, version: Int, symbol: String?, after cursor: FeatureRowCursor?, limit: Int) async throws -> [StoredFeatureRow]

    /// The saved progress of a backfill (nil: none saved).
    func featureCheckpoint(set: String, version: Int, scope: String) async throws -> FeatureCheckpoint?
}

/// A feature row as stored: its revision and how it was computed.
public struct StoredFeatureRow: Sendable, Hashable {
    public var row: FeatureRow
    public var revision: Int
    /// `run` (streaming) or `backfill`.
    public var computedBy: String
    public var computedAt: UTCTimestamp

    public init(row: FeatureRow, revision: Int, computedBy: String, computedAt: UTCTimestamp) {
        self.row = row
        self.revision = revision
        self.computedBy = computedBy
        self.computedAt = computedAt
    }

    public var cursor: FeatureRowCursor {
        FeatureRowCursor(start: row.start.nanosecondsSinceEpoch, source: row.source.rawValue, symbol: row.symbol, window: row.window)
    }
}

/// Where a page of feature rows ended.
public struct FeatureRowCursor: Sendable, Hashable, Comparable {
    public var start: Int64
    public var source: String
    public var symbol: String
    public var window: String

    public init(start: Int64, source: String, symbol: String, window: String) {
        (self.start, self.source, self.symbol, self.window) = (start, source, symbol, window)
    }

    public static func < (a: Self, b: Self) -> Bool {
        if a.start != b.start { return a.start < b.start }
        for (x, y) in [(a.source, b.source), (a.symbol, b.symbol), (a.window, b.window)] where x != y {
            return x.precedesByBytes(y)
        }
        return false
    }
}

/// A backfill's progress: the last record it read and the engine's state after it.
public struct FeatureCheckpoint: Sendable, Hashable {
    public var set: String
    public var version: Int
    /// What the backfill reads (its kind, symbol, source and range): a checkpoint only resumes the same read.
    public var scope: String
    public var after: RecordQuery.Cursor?
    /// The feature engine's state (its windows, watermarks and statistics) as JSON.
    public var state: [UInt8]
    public var records: Int
    public var rows: Int
    public var completed: Bool

    public init(set: String, version: Int, scope: String, after: RecordQuery.Cursor?, state: [UInt8], records: Int, rows: Int, completed: Bool) {
        self.set = set
        self.version = version
        self.scope = scope
        self.after = after
        self.state = state
        self.records = records
        self.rows = rows
        self.completed = completed
    }
}

extension RecordQuery.Cursor {
    /// The cursor as one JSON object (how a checkpoint keeps it).
    public var json: String {
        var members: [(key: String, value: JSONValue)] = [("source", .string(source)), ("symbol", .string(symbol)), ("key", .string(key))]
        if let time { members.append(("time", .number(String(time)))) }
        if let date { members.append(("date", .string(date))) }
        return JSONWriter.string(.object(JSONObject(members)), canonical: true)
    }

    /// Reads ``json`` back; nil when it is not such an object.
    public init?(json: String) {
        guard case .object(let object)? = try? JSONParser.parse(Array(json.utf8)), let source = object["source"]?.stringValue,
            let symbol = object["symbol"]?.stringValue, let key = object["key"]?.stringValue
        else { return nil }
        var time: Int64?
        if case .number(let text)? = object["time"] { time = Int64(text) }
        self.init(time: time, date: object["date"]?.stringValue, source: source, symbol: symbol, key: key)
    }
}

extension StoredFeatureRow {
    /// The row as JSON, the way `/features/latest` and `features export --format jsonl` write it:
    /// times as RFC 3339, values as exact decimal text.
    public var json: JSONValue {
        .object(
            JSONObject([
                ("entity_id", .string(row.entityID)), ("set", .string(row.set)), ("version", .number(String(row.version))),
                ("source", .string(row.source.rawValue)), ("symbol", .string(row.symbol)), ("window", .string(row.window)),
                ("start", .string(row.start.rfc3339)), ("end", .string(row.end.rfc3339)),
                ("values", .object(JSONObject(row.values.map { ($0.name, $0.value.map { .string($0.description) } ?? .null) }))),
                ("events", .number(String(row.events))), ("corrections", .number(String(row.corrections))),
                ("revision", .number(String(revision))), ("content_hash", .string(row.contentHash)),
                ("computed_by", .string(computedBy)), ("computed_at", .string(computedAt.rfc3339)),
            ]))
    }
}
