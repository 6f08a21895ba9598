import Foundation
import GRDB
import Pipeline
import TributaryCore

/// The embedded store: one SQLite file in WAL mode, written in batches.
///
/// GRDB (not sqlite-nio) because the store is written by one sink task in transactions and read
/// rarely: GRDB's `DatabasePool` gives WAL, a serialized writer and concurrent readers with a
/// small synchronous API, and its migrator versions the schema. Records live in one typed table
/// per kind (`quotes`, `bars`, `trades`, `books`, `news`, `observations`, `balances`) with their
/// provenance once per batch in `batches` (Docs/STORE.md); they are upserted by their natural
/// key (source, symbol, key): a record whose content hash equals the stored one is skipped, a
/// different one replaces it and bumps its revision. Each batch is one transaction — all of it
/// is stored, or none of it.
///
/// It implements every storage port (``RecordStore``); its synchronous methods satisfy the
/// ports' `async` requirements, and tests that open a file directly may call them as they are.
public final class SQLiteStore: RecordStore {
    public let path: String
    public var location: String { path }
    public let deadLetterMaxBytes: Int
    let pool: DatabasePool
    /// Copies the log into the file off the writer's thread (``SQLiteCheckpointer``).
    let checkpointer: SQLiteCheckpointer

    /// Opens (creating if needed) the store at `path`, creating the folder too.
    ///
    /// - Parameter maxBytes: a cap on the file's size (SQLite's `max_page_count`); a write that
    ///   would pass it fails as ``StoreUnavailable`` ("database or disk is full"). 0: no cap.
    /// - Parameter deadLetterMaxBytes: the largest raw body a dead letter keeps (the rest is cut, and marked).
    /// - Parameter migrationProgress: told (moved, total) after each chunk while a version-1 store's
    ///   records move into the typed tables (only on the first open of such a file).
    public init(
        path: String, maxBytes: Int = 0, deadLetterMaxBytes: Int = 64 * 1024,
        migrationProgress: (_ moved: Int, _ total: Int) throws -> Void = { _, _ in }
    ) throws {
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
            try SQLiteLegacyRecords.migrate(pool, deadLetterMaxBytes: deadLetterMaxBytes, progress: migrationProgress)
            checkpointer = try SQLiteCheckpointer(path: path)
        } catch {
            throw Self.classify(error, path: path) ?? error
        }
    }

    deinit { checkpointer.stop() }

    /// Runs a write transaction, turning "the store cannot be written" into ``StoreUnavailable``.
    func guarded<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            let result = try pool.write(body)
            checkpointer.noteCommit()
            return result
        } catch {
            throw Self.classify(error, path: path) ?? error
        }
    }

    /// `wal` when the file is in write-ahead-log mode.
    public var journalMode: String {
        get throws { try pool.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "" } }
    }
}
