import Foundation
import GRDB
import Pipeline
import TributaryCore

/// The embedded store: one SQLite file in WAL mode, written in batches.
///
/// GRDB (not sqlite-nio) because the store is written by one sink task in transactions and read
/// rarely: GRDB's `DatabasePool` gives WAL, a serialized writer and concurrent readers with a
/// small synchronous API, and its migrator versions the schema. Records are upserted by their
/// natural key (source, kind, symbol, key): a record whose content hash equals the stored one is
/// skipped, a different one replaces it and bumps its revision. Each batch is one transaction —
/// all of it is stored, or none of it.
///
/// It implements every storage port (``RecordStore``); its synchronous methods satisfy the
/// ports' `async` requirements, and tests that open a file directly may call them as they are.
public final class SQLiteStore: RecordStore {
    public let path: String
    public var location: String { path }
    public let deadLetterMaxBytes: Int
    private let pool: DatabasePool

    /// Opens (creating if needed) the store at `path`, creating the folder too.
    ///
    /// - Parameter maxBytes: a cap on the file's size (SQLite's `max_page_count`); a write that
    ///   would pass it fails as ``StoreUnavailable`` ("database or disk is full"). 0: no cap.
    /// - Parameter deadLetterMaxBytes: the largest raw body a dead letter keeps (the rest is cut, and marked).
    public init(path: String, maxBytes: Int = 0, deadLetterMaxBytes: Int = 64 * 1024) throws {
        self.path = path
        self.deadLetterMaxBytes = deadLetterMaxBytes
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        // WAL with synchronous=NORMAL: a commit is in the log before the call returns, so it
        // survives the process being killed (kill -9, a crash); only a power loss can take the
        // last commits, which the OS had not yet written. Syncing every commit (FULL) costs an
        // fsync per batch for a guarantee market data rarely needs.
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            try db.execute(sql: "PRAGMA cache_size = -16000")
        }
        if maxBytes > 0 {
            configuration.prepareDatabase { db in
                let pageSize = try Int.fetchOne(db, sql: "PRAGMA page_size") ?? 4096
                try db.execute(sql: "PRAGMA max_page_count = \(max(1, maxBytes / pageSize))")
            }
        }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            try Self.migrator.migrate(pool)
        } catch {
            throw Self.classify(error, path: path) ?? error
        }
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: records and dead letters") { db in
            try db.execute(sql: """
                CREATE TABLE records (
                    id INTEGER PRIMARY KEY,
                    source TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    symbol TEXT NOT NULL,
                    natural_key TEXT NOT NULL,
                    endpoint TEXT NOT NULL,
                    content_hash TEXT NOT NULL,
                    record_json TEXT NOT NULL,
                    observed_at TEXT NOT NULL,
                    ingested_at TEXT NOT NULL,
                    revision INTEGER NOT NULL DEFAULT 1,
                    UNIQUE (source, kind, symbol, natural_key)
                );
                CREATE INDEX records_symbol ON records (symbol, kind, observed_at);
                CREATE TABLE dead_letters (
                    id INTEGER PRIMARY KEY,
                    source TEXT NOT NULL,
                    reason TEXT NOT NULL,
                    raw BLOB,
                    created_at TEXT NOT NULL,
                    replayed_at TEXT
                );
                """)
        }
        migrator.registerMigration("v2: dead letters say what they hold") { db in
            try db.execute(sql: """
                ALTER TABLE dead_letters ADD COLUMN endpoint TEXT NOT NULL DEFAULT '';
                ALTER TABLE dead_letters ADD COLUMN payload TEXT NOT NULL DEFAULT 'record';
                ALTER TABLE dead_letters ADD COLUMN call_json TEXT;
                ALTER TABLE dead_letters ADD COLUMN status INTEGER;
                ALTER TABLE dead_letters ADD COLUMN kind TEXT;
                ALTER TABLE dead_letters ADD COLUMN symbol TEXT;
                ALTER TABLE dead_letters ADD COLUMN natural_key TEXT;
                ALTER TABLE dead_letters ADD COLUMN content_hash TEXT;
                ALTER TABLE dead_letters ADD COLUMN observed_at TEXT;
                ALTER TABLE dead_letters ADD COLUMN ingested_at TEXT;
                ALTER TABLE dead_letters ADD COLUMN truncated INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE dead_letters ADD COLUMN as_of TEXT;
                ALTER TABLE records ADD COLUMN as_of TEXT;
                CREATE INDEX records_latest ON records (symbol, kind, source, as_of);
                """)
        }
        migrator.registerMigration("v3: gaps") { db in
            try db.execute(sql: """
                CREATE TABLE gaps (
                    id INTEGER PRIMARY KEY,
                    source TEXT NOT NULL,
                    symbol TEXT NOT NULL,
                    interval TEXT NOT NULL,
                    from_start TEXT NOT NULL,
                    to_start TEXT NOT NULL,
                    reason TEXT NOT NULL,
                    detected_at TEXT NOT NULL,
                    UNIQUE (source, symbol, interval, from_start)
                );
                """)
        }
        migrator.registerMigration("v4: idempotency keys") { db in
            try db.execute(sql: """
                CREATE TABLE idempotency_keys (
                    source TEXT NOT NULL,
                    key TEXT NOT NULL,
                    body_hash TEXT NOT NULL,
                    status INTEGER NOT NULL,
                    response BLOB NOT NULL,
                    created_at TEXT NOT NULL,
                    expires_at INTEGER NOT NULL,
                    PRIMARY KEY (source, key)
                );
                CREATE INDEX idempotency_expiry ON idempotency_keys (expires_at);
                """)
        }
        migrator.registerMigration("v5: imports") { db in
            try db.execute(sql: """
                CREATE TABLE import_files (
                    file_sha256 TEXT NOT NULL,
                    source TEXT NOT NULL,
                    path TEXT NOT NULL,
                    rows_done INTEGER NOT NULL DEFAULT 0,
                    batches INTEGER NOT NULL DEFAULT 0,
                    stored INTEGER NOT NULL DEFAULT 0,
                    bad_rows INTEGER NOT NULL DEFAULT 0,
                    started_at TEXT NOT NULL,
                    completed_at TEXT,
                    PRIMARY KEY (file_sha256, source)
                );
                CREATE TABLE import_columns (
                    source TEXT NOT NULL,
                    name TEXT NOT NULL,
                    type TEXT NOT NULL,
                    first_file TEXT NOT NULL,
                    added_at TEXT NOT NULL,
                    PRIMARY KEY (source, name)
                );
                """)
        }
        migrator.registerMigration("v6: drop an index no query uses") { db in
            // records_latest (symbol, kind, source, as_of) serves the latest view; records_symbol
            // only cost an index update per row.
            try db.execute(sql: "DROP INDEX IF EXISTS records_symbol")
        }
        migrator.registerMigration("v7: webhook ids") { db in
            try db.execute(sql: """
                CREATE TABLE webhook_ids (
                    source TEXT NOT NULL,
                    id TEXT NOT NULL,
                    seen_at INTEGER NOT NULL,
                    PRIMARY KEY (source, id)
                );
                CREATE INDEX webhook_ids_seen ON webhook_ids (seen_at);
                """)
        }
        return migrator
    }

    /// Stores a batch in one transaction, saying how many records were new, changed or already there.
    @discardableResult
    public func upsert(_ batch: [Envelope]) throws -> WriteResult {
        try upsert(rows: batch.map(StoredRecord.init))
    }

    /// Stores rows already in stored form in one transaction.
    @discardableResult
    func upsert(rows batch: [StoredRecord]) throws -> WriteResult {
        guard !batch.isEmpty else { return WriteResult() }
        return try guarded { db in try Self.upsert(batch, in: db) }
    }

    /// Rows per INSERT statement: fewer statement steps and argument bindings per record; 50 ×
    /// 10 parameters stays far below SQLite's limit on bound parameters.
    static let rowsPerStatement = 50

    static func upsert(_ batch: [StoredRecord], in db: Database) throws -> WriteResult {
        var result = WriteResult()
        var start = batch.startIndex
        while start < batch.endIndex {
            let end = min(start + rowsPerStatement, batch.endIndex)
            let chunk = batch[start..<end]
            // One row per record that was inserted (revision 1) or changed (revision > 1); a
            // record whose content hash is already stored returns nothing.
            let statement = try db.cachedStatement(sql: upsertSQL(rows: chunk.count))
            var arguments: [(any DatabaseValueConvertible)?] = []
            arguments.reserveCapacity(chunk.count * 10)
            for row in chunk {
                arguments += [row.source, row.kind, row.symbol, row.naturalKey, row.endpoint, row.contentHash, row.line, row.observedAt, row.ingestedAt, row.asOf]
            }
            let revisions = try Int.fetchAll(statement, arguments: StatementArguments(arguments))
            for revision in revisions {
                if revision == 1 { result.inserted += 1 } else { result.updated += 1 }
            }
            result.unchanged += chunk.count - revisions.count
            start = end
        }
        return result
    }

    static func upsertSQL(rows: Int) -> String {
        let values = Array(repeating: "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", count: rows).joined(separator: ", ")
        return """
            INSERT INTO records (source, kind, symbol, natural_key, endpoint, content_hash, record_json, observed_at, ingested_at, as_of)
            VALUES \(values)
            ON CONFLICT (source, kind, symbol, natural_key) DO UPDATE SET
                endpoint = excluded.endpoint, content_hash = excluded.content_hash, record_json = excluded.record_json,
                observed_at = excluded.observed_at, ingested_at = excluded.ingested_at, as_of = excluded.as_of,
                revision = records.revision + 1
            WHERE records.content_hash != excluded.content_hash
            RETURNING revision
            """
    }

    /// Runs a write transaction, turning "the store cannot be written" into ``StoreUnavailable``.
    private func guarded<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try pool.write(body)
        } catch {
            throw Self.classify(error, path: path) ?? error
        }
    }

    /// Keeps a dead letter; a raw body longer than ``deadLetterMaxBytes`` is cut (and marked truncated).
    @discardableResult
    public func deadLetter(_ letter: DeadLetter) throws -> Int64 {
        try guarded { db in try Self.insert(letter, maxBytes: deadLetterMaxBytes, in: db) }
    }

    static func insert(_ letter: DeadLetter, maxBytes: Int, in db: Database) throws -> Int64 {
        var arguments: [(any DatabaseValueConvertible)?] = [letter.source, letter.endpoint, letter.reason, letter.kindName, letter.createdAt.rfc3339]
        switch letter.payload {
        case .record(let row):
            arguments += [Data(row.line.utf8), 0, nil, nil, row.kind, row.symbol, row.naturalKey, row.contentHash, row.observedAt, row.ingestedAt, row.asOf]
        case .response(let call, let status, let body):
            arguments += [Data(body.prefix(maxBytes)), body.count > maxBytes ? 1 : 0, call.json, status, nil, nil, nil, nil, nil, nil, nil]
        case .row(let file, let line, let raw):
            let location = JSONWriter.string(.object(JSONObject([("file", .string(file)), ("line", .number(String(line)))])))
            arguments += [Data(raw.prefix(maxBytes)), raw.count > maxBytes ? 1 : 0, location, nil, nil, nil, nil, nil, nil, nil, nil]
        }
        try db.execute(sql: """
            INSERT INTO dead_letters (source, endpoint, reason, payload, created_at, raw, truncated, call_json, status,
                                      kind, symbol, natural_key, content_hash, observed_at, ingested_at, as_of)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: StatementArguments(arguments))
        return db.lastInsertedRowID
    }

    /// Dead letters, newest first; `pending` leaves out the ones already replayed.
    public func deadLetters(limit: Int = 100, source: String? = nil, pending: Bool = false) throws -> [DeadLetter] {
        try pool.read { db in
            var conditions: [String] = []
            var arguments: [(any DatabaseValueConvertible)?] = []
            if let source { conditions.append("source = ?"); arguments.append(source) }
            if pending { conditions.append("replayed_at IS NULL") }
            let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            arguments.append(limit)
            return try Row.fetchAll(db, sql: "SELECT * FROM dead_letters \(filter) ORDER BY id DESC LIMIT ?", arguments: StatementArguments(arguments))
                .map(Self.deadLetter(from:))
        }
    }

    /// One dead letter by id.
    public func deadLetter(id: Int64) throws -> DeadLetter? {
        try pool.read { db in try Row.fetchOne(db, sql: "SELECT * FROM dead_letters WHERE id = ?", arguments: [id]).map(Self.deadLetter(from:)) }
    }

    /// Marks a dead letter as replayed (it stays, for the record).
    public func markReplayed(id: Int64, at time: UTCTimestamp) throws {
        _ = try guarded { db in try db.execute(sql: "UPDATE dead_letters SET replayed_at = ? WHERE id = ?", arguments: [time.rfc3339, id]) }
    }

    private static func deadLetter(from row: Row) -> DeadLetter {
        let raw: Data = row["raw"] ?? Data()
        let payload: DeadLetter.Payload
        if row["payload"] == "row" {
            let location = (row["call_json"] as String?).flatMap { try? JSONParser.parse(Array($0.utf8)) }
            payload = .row(file: location?["file"]?.stringValue ?? "", line: Int(location?["line"]?.decimalValue?.description ?? "") ?? 0, raw: Array(raw))
        } else if row["payload"] == "record", let kind: String = row["kind"] {
            payload = .record(StoredRecord(
                source: row["source"], kind: kind, symbol: row["symbol"] ?? "", naturalKey: row["natural_key"] ?? "", endpoint: row["endpoint"],
                contentHash: row["content_hash"] ?? "", line: String(decoding: raw, as: UTF8.self),
                observedAt: row["observed_at"] ?? "", ingestedAt: row["ingested_at"] ?? "", asOf: row["as_of"]))
        } else {
            let call = (row["call_json"] as String?).flatMap(EndpointCallText.init(json:)) ?? EndpointCallText(endpoint: row["endpoint"], symbols: [], parameters: [:])
            payload = .response(call: call, status: row["status"] ?? 0, body: Array(raw))
        }
        var letter = DeadLetter(source: row["source"], endpoint: row["endpoint"], reason: row["reason"], payload: payload,
                                createdAt: (row["created_at"] as String?).flatMap { UTCTimestamp(rfc3339: $0) } ?? UTCTimestamp(nanosecondsSinceEpoch: 0))
        letter.id = row["id"]
        letter.replayedAt = (row["replayed_at"] as String?).flatMap { UTCTimestamp(rfc3339: $0) }
        return letter
    }

    /// A completed idempotent request's response, if the key is known and not expired.
    public func idempotentResponse(source: String, key: String, now: Int64) throws -> IdempotentResponse? {
        try pool.read { db in
            try Row.fetchOne(db, sql: "SELECT body_hash, status, response FROM idempotency_keys WHERE source = ? AND key = ? AND expires_at > ?",
                             arguments: [source, key, now])
                .map { IdempotentResponse(bodyHash: $0["body_hash"], status: $0["status"], response: Array(($0["response"] as Data?) ?? Data())) }
        }
    }

    /// Keeps a completed request's response under its key until `expiresAt` (unix seconds).
    public func saveIdempotentResponse(source: String, key: String, _ saved: IdempotentResponse, now: Int64, expiresAt: Int64) throws {
        let (bodyHash, status, response) = (saved.bodyHash, saved.status, saved.response)
        _ = try guarded { db in
            try db.execute(sql: """
                INSERT INTO idempotency_keys (source, key, body_hash, status, response, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (source, key) DO UPDATE SET body_hash = excluded.body_hash, status = excluded.status, response = excluded.response,
                    created_at = excluded.created_at, expires_at = excluded.expires_at
                """, arguments: [source, key, bodyHash, status, Data(response), (UTCTimestamp(secondsSinceEpoch: now) ?? .now()).rfc3339, expiresAt])
        }
    }

    /// Remembers a signed webhook's message id; false when it was already seen (a replay).
    /// Ids older than `forgetBefore` (unix seconds) are dropped on the way.
    public func rememberWebhookID(source: String, id: String, now: Int64, forgetBefore: Int64) throws -> Bool {
        try guarded { db in
            if now % 60 == 0 { try db.execute(sql: "DELETE FROM webhook_ids WHERE seen_at < ?", arguments: [forgetBefore]) }
            try db.execute(sql: "INSERT OR IGNORE INTO webhook_ids (source, id, seen_at) VALUES (?, ?, ?)", arguments: [source, id, now])
            return db.changesCount == 1
        }
    }

    /// Forgets keys whose time is up; returns how many.
    @discardableResult
    public func purgeIdempotencyKeys(now: Int64) throws -> Int {
        try guarded { db in
            try db.execute(sql: "DELETE FROM idempotency_keys WHERE expires_at <= ?", arguments: [now])
            return db.changesCount
        }
    }

    public func importProgress(fileSHA256: String, source: String) throws -> ImportProgress? {
        try pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM import_files WHERE file_sha256 = ? AND source = ?", arguments: [fileSHA256, source]).map { row in
                var progress = ImportProgress()
                progress.rowsDone = row["rows_done"]
                progress.batches = row["batches"]
                progress.stored = row["stored"]
                progress.badRows = row["bad_rows"]
                progress.completed = (row["completed_at"] as String?) != nil
                return progress
            }
        }
    }

    /// One import batch in one transaction: its records, its bad rows and the file's checkpoint,
    /// so a `kill -9` leaves each batch wholly there or wholly absent and a re-run resumes after it.
    @discardableResult
    public func commitImportBatch(_ batch: ImportBatch) throws -> WriteResult {
        let (deadLetters, fileSHA256, source, path, rowsDone, completed) = (batch.deadLetters, batch.fileSHA256, batch.source, batch.path, batch.rowsDone, batch.completed)
        let rows = batch.records.map(StoredRecord.init)
        return try guarded { db in
            let result = try Self.upsert(rows, in: db)
            for letter in deadLetters { _ = try Self.insert(letter, maxBytes: deadLetterMaxBytes, in: db) }
            let now = UTCTimestamp.now().rfc3339
            try db.execute(sql: """
                INSERT INTO import_files (file_sha256, source, path, rows_done, batches, stored, bad_rows, started_at, completed_at)
                VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?)
                ON CONFLICT (file_sha256, source) DO UPDATE SET path = excluded.path, rows_done = excluded.rows_done,
                    batches = import_files.batches + 1, stored = import_files.stored + excluded.stored,
                    bad_rows = import_files.bad_rows + excluded.bad_rows, completed_at = excluded.completed_at
                """, arguments: [fileSHA256, source, path, rowsDone, result.inserted + result.updated, deadLetters.count, now, completed ? now : nil])
            return result
        }
    }

    /// The column types a source's imports have used so far (the schema later files must keep).
    public func importColumns(source: String) throws -> [String: String] {
        try pool.read { db in
            Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT name, type FROM import_columns WHERE source = ?", arguments: [source])
                .map { ($0["name"] as String, $0["type"] as String) })
        }
    }

    /// Records columns seen for the first time (schema evolution: new columns are accepted and kept).
    public func recordImportColumns(_ columns: [(name: String, type: String)], source: String, file: String) throws {
        _ = try guarded { db in
            for column in columns {
                try db.execute(sql: "INSERT OR IGNORE INTO import_columns (source, name, type, first_file, added_at) VALUES (?, ?, ?, ?, ?)",
                               arguments: [source, column.name, column.type, file, UTCTimestamp.now().rfc3339])
            }
        }
    }

    /// Records gaps (a gap already recorded with the same start is kept as it was); returns how many were new.
    @discardableResult
    public func recordGaps(_ gaps: [Gap], detectedAt: UTCTimestamp = .now()) throws -> Int {
        guard !gaps.isEmpty else { return 0 }
        return try guarded { db in
            var added = 0
            for gap in gaps {
                try db.execute(sql: """
                    INSERT OR IGNORE INTO gaps (source, symbol, interval, from_start, to_start, reason, detected_at) VALUES (?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [gap.source.rawValue, gap.symbol, gap.interval, gap.from.rfc3339, gap.to.rfc3339, gap.reason, detectedAt.rfc3339])
                added += db.changesCount
            }
            return added
        }
    }

    /// Recorded gaps, newest first.
    public func gaps(source: SourceID? = nil, limit: Int = 100) throws -> [Gap] {
        try pool.read { db in
            let filter = source == nil ? "" : "WHERE source = ?"
            let arguments: StatementArguments = source.map { [$0.rawValue, limit] } ?? [limit]
            return try Row.fetchAll(db, sql: "SELECT * FROM gaps \(filter) ORDER BY from_start DESC, id DESC LIMIT ?", arguments: arguments).compactMap { row in
                guard let from = UTCTimestamp(rfc3339: row["from_start"] as String), let to = UTCTimestamp(rfc3339: row["to_start"] as String) else { return nil }
                return Gap(source: SourceID(row["source"] as String), symbol: row["symbol"], interval: row["interval"], from: from, to: to, reason: row["reason"])
            }
        }
    }

    /// The newest record per source for a symbol and kind (by `as_of`).
    public func latest(symbol: String, kind: TributaryCore.Record.Kind) throws -> [LatestRecord] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT source, record_json, MAX(as_of) AS as_of FROM records
                WHERE symbol = ? AND kind = ? GROUP BY source ORDER BY source
                """, arguments: [symbol, kind.rawValue])
                .map { row in
                    LatestRecord(source: row["source"], envelope: try Envelope(jsonLine: row["record_json"]),
                                 asOf: (row["as_of"] as String?).flatMap { UTCTimestamp(rfc3339: $0) })
                }
        }
    }

    public func recordCount() throws -> Int {
        try pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM records") ?? 0 }
    }

    public func deadLetterCount() throws -> Int {
        try pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM dead_letters") ?? 0 }
    }

    /// The stored record with this identity, and its revision.
    public func storedRecord(source: SourceID, kind: TributaryCore.Record.Kind, symbol: String, naturalKey: String) throws -> (envelope: Envelope, revision: Int)? {
        try storedLine(source: source, kind: kind, symbol: symbol, naturalKey: naturalKey).map { stored in
            var envelope = try Envelope(jsonLine: stored.line)
            if envelope.record.naturalKey != naturalKey { envelope.identity = naturalKey }
            return (envelope, stored.revision)
        }
    }

    /// The stored JSON line of a record, by its identity.
    public func storedLine(source: SourceID, kind: TributaryCore.Record.Kind, symbol: String, naturalKey: String) throws -> (line: String, revision: Int)? {
        try pool.read { db in
            try Row.fetchOne(db, sql: "SELECT record_json, revision FROM records WHERE source = ? AND kind = ? AND symbol = ? AND natural_key = ?",
                             arguments: [source.rawValue, kind.rawValue, symbol, naturalKey])
                .map { ($0["record_json"], $0["revision"]) }
        }
    }

    /// `wal` when the file is in write-ahead-log mode.
    public var journalMode: String {
        get throws { try pool.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "" } }
    }
}
