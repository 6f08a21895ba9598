import Foundation
import GRDB
import TributaryCore

/// The embedded store: one SQLite file in WAL mode, written in batches.
///
/// GRDB (not sqlite-nio) because the store is written by one sink task in transactions and read
/// rarely: GRDB's `DatabasePool` gives WAL, a serialized writer and concurrent readers with a
/// small synchronous API, and its migrator versions the schema. Records are upserted by their
/// natural key (source, kind, symbol, key): a record whose content hash equals the stored one is
/// skipped, a different one replaces it and bumps its revision. Each batch is one transaction —
/// all of it is stored, or none of it.
public final class SQLiteStore: Sendable {
    /// What one `write` did.
    public struct WriteResult: Sendable, Hashable {
        public var inserted = 0
        public var updated = 0
        /// Already stored with the same content hash.
        public var unchanged = 0
        public init() {}
    }

    public let path: String
    private let pool: DatabasePool

    /// Opens (creating if needed) the store at `path`, creating the folder too.
    public init(path: String) throws {
        self.path = path
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        pool = try DatabasePool(path: path, configuration: configuration)
        try Self.migrator.migrate(pool)
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
        return migrator
    }

    /// Stores a batch in one transaction, saying how many records were new, changed or already there.
    @discardableResult
    public func upsert(_ batch: [Envelope]) throws -> WriteResult {
        guard !batch.isEmpty else { return WriteResult() }
        return try pool.write { db in
            var result = WriteResult()
            let upsert = try db.cachedStatement(sql: """
                INSERT INTO records (source, kind, symbol, natural_key, endpoint, content_hash, record_json, observed_at, ingested_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (source, kind, symbol, natural_key) DO UPDATE SET
                    endpoint = excluded.endpoint, content_hash = excluded.content_hash, record_json = excluded.record_json,
                    observed_at = excluded.observed_at, ingested_at = excluded.ingested_at, revision = records.revision + 1
                WHERE records.content_hash != excluded.content_hash
                RETURNING revision
                """)
            for envelope in batch {
                let record = envelope.record
                let revision = try Int.fetchOne(upsert, arguments: [
                    record.source.rawValue, record.kind.rawValue, record.symbol, record.naturalKey, record.endpoint,
                    envelope.provenance.contentHash, envelope.jsonLine, envelope.provenance.observedAt.rfc3339, envelope.provenance.ingestedAt.rfc3339,
                ])
                switch revision {
                case nil: result.unchanged += 1
                case 1?: result.inserted += 1
                default: result.updated += 1
                }
            }
            return result
        }
    }

    /// Keeps something that could not be decoded or stored, with why, so it can be looked at and replayed.
    @discardableResult
    public func deadLetter(source: String, reason: String, raw: [UInt8], maxBytes: Int = 64 * 1024) throws -> Int64 {
        try pool.write { db in
            try db.execute(sql: "INSERT INTO dead_letters (source, reason, raw, created_at) VALUES (?, ?, ?, ?)",
                           arguments: [source, reason, Data(raw.prefix(maxBytes)), UTCTimestamp.now().rfc3339])
            return db.lastInsertedRowID
        }
    }

    public var recordCount: Int {
        get throws { try pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM records") ?? 0 } }
    }

    public var deadLetterCount: Int {
        get throws { try pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM dead_letters") ?? 0 } }
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
