import Foundation
import Logging
import NIOSSL
import Pipeline
import PostgresNIO
import Synchronization
import TributaryCore

/// The PostgreSQL store: the same typed tables as the SQLite file, for a team's shared database.
///
/// postgres-nio's `PostgresClient` keeps a pool of connections (run by a task this store owns);
/// every write is one transaction. A kind's records are first streamed with `COPY … FROM STDIN`
/// straight into its table under a savepoint — PostgreSQL's own bulk-load speed when none of
/// their keys is stored yet; a key that is makes the server refuse the copy, which is undone,
/// and the records are then copied into a per-connection staging table and merged with
/// `INSERT … ON CONFLICT (source_key, symbol, key) DO UPDATE … WHERE content_hash IS DISTINCT
/// FROM excluded.content_hash` (``DirectCopyPolicy`` says when the straight copy is worth a
/// try). Either way upsert-by-natural-key and unchanged-skip hold as in every adapter. Decimals are
/// `NUMERIC` (their scale kept), times `timestamptz` plus the nanoseconds below a microsecond
/// (`*_ns`), content hashes `bytea`. A database that cannot be reached or written is
/// ``StoreUnavailable`` with the reason (the sink holds and retries); a refused batch is an
/// error that dead-letters it. The password never appears in ``location``, logs or errors.
public final class PostgresStore: RecordStore {
    public let configuration: PostgresStoreConfiguration
    public var location: String { configuration.redacted }
    public let deadLetterMaxBytes: Int
    let client: PostgresClient
    let logger: Logger
    private let runner: Task<Void, Never>
    let sourceKeys = SourceKeyCache()
    let directCopies = DirectCopyPolicy()

    /// Connects (retrying for up to `connectWithin`, at least the configuration's connect
    /// timeout) and creates or upgrades the schema.
    public init(_ configuration: PostgresStoreConfiguration, deadLetterMaxBytes: Int = 64 * 1024, connectWithin: Duration = .seconds(10)) async throws {
        self.configuration = configuration
        self.deadLetterMaxBytes = deadLetterMaxBytes
        var logger = Logger(label: "tributary.postgres")
        logger.logLevel = .critical
        self.logger = logger
        let tls: PostgresClient.Configuration.TLS
        switch configuration.tls {
        case .disable: tls = .disable
        case .prefer: tls = .prefer(.makeClientConfiguration())
        case .require: tls = .require(.makeClientConfiguration())
        }
        var options = PostgresClient.Configuration(
            host: configuration.host, port: configuration.port, username: configuration.user,
            password: configuration.password, database: configuration.database, tls: tls)
        options.options.maximumConnections = configuration.maxConnections
        options.options.connectTimeout = .seconds(configuration.connectTimeout.components.seconds)
        options.options.additionalStartupParameters = [
            ("statement_timeout", "\(configuration.statementTimeout.components.seconds * 1000)"),
            ("application_name", "tributary"),
        ]
        let client = PostgresClient(configuration: options, backgroundLogger: logger)
        self.client = client
        runner = Task { await client.run() }
        let deadline = ContinuousClock.now + max(connectWithin, configuration.connectTimeout)
        while true {
            do {
                let quiet = logger
                try await Self.within(configuration.statementTimeout, acquiring: configuration.connectTimeout, location: configuration.redacted) { acquired in
                    try await PostgresSchema.migrate(client, logger: quiet, acquired: acquired)
                }
                break
            } catch {
                let unavailable = Self.classify(error, location: configuration.redacted)
                if unavailable == nil || ContinuousClock.now >= deadline {
                    runner.cancel()
                    throw unavailable ?? error
                }
                try await Task.sleep(for: .milliseconds(250))
            }
        }
    }

    deinit { runner.cancel() }

    /// Closes the pool's connections.
    public func shutdown() { runner.cancel() }

    /// One transaction, with "the database cannot be used" as ``StoreUnavailable``.
    func transaction<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        let (client, logger) = (self.client, self.logger)
        do {
            return try await Self.within(waitLimit, acquiring: configuration.connectTimeout, location: location) { acquired in
                try await client.withTransaction(logger: logger) { connection in
                    acquired()
                    return try await body(connection)
                }
            }
        } catch {
            throw Self.classify(error, location: location) ?? Self.described(error)
        }
    }

    /// One statement outside a transaction (reads), classified the same way.
    func rows(_ sql: String, _ values: [PGValue] = []) async throws -> [PostgresRandomAccessRow] {
        let (client, logger) = (self.client, self.logger)
        do {
            return try await Self.within(waitLimit, acquiring: configuration.connectTimeout, location: location) { acquired in
                try await client.withConnection { connection in
                    acquired()
                    return try await connection.rows(sql, values, logger: logger)
                }
            }
        } catch {
            throw Self.classify(error, location: location) ?? Self.described(error)
        }
    }

    /// How long one operation may wait, connection included: the pool waits for a connection
    /// without end while the server is down, and a sink must hear "unavailable" instead.
    var waitLimit: Duration { configuration.statementTimeout + configuration.connectTimeout }

    /// `operation`, or ``StoreUnavailable`` when it has no connection after `acquireLimit` or
    /// no answer after `limit`. The operation calls `acquired` once it holds a connection.
    ///
    /// The operation runs in a task of its own and is cancelled at a limit, but not awaited: a
    /// pool waiting for a connection to a server that is down does not end on cancellation at
    /// once, and the caller must get its answer now.
    static func within<T: Sendable>(
        _ limit: Duration, acquiring acquireLimit: Duration, location: String,
        _ operation: @escaping @Sendable (_ acquired: @escaping @Sendable () -> Void) async throws -> T
    ) async throws -> T {
        let race = Race<T>()
        return try await withCheckedThrowingContinuation { continuation in
            race.start(continuation)
            let work = Task {
                do { race.finish(.success(try await operation { race.markAcquired() })) } catch { race.finish(.failure(error)) }
            }
            Task {
                try? await Task.sleep(for: min(acquireLimit, limit))
                if !race.isAcquired,
                    race.finish(
                        .failure(
                            StoreUnavailable(
                                location: location,
                                reason:
                                    "cannot reach PostgreSQL: no connection within \(min(acquireLimit, limit).components.seconds) s (is the server up and the URL right?)"
                            )))
                {
                    work.cancel()
                    return
                }
                try? await Task.sleep(for: limit - min(acquireLimit, limit))
                if race.finish(
                    .failure(
                        StoreUnavailable(location: location, reason: "PostgreSQL did not answer within \(limit.components.seconds) s (overloaded or locked?)")))
                {
                    work.cancel()
                }
            }
        }
    }
}

/// The first of an operation and its deadline to finish resumes the caller; the other is ignored.
final class Race<T: Sendable>: Sendable {
    private let state = Mutex<CheckedContinuation<T, any Error>?>(nil)
    private let acquired = Mutex(false)

    func markAcquired() { acquired.withLock { $0 = true } }
    var isAcquired: Bool { acquired.withLock { $0 } }

    func start(_ continuation: CheckedContinuation<T, any Error>) { state.withLock { $0 = continuation } }

    /// True when this call resumed the caller.
    @discardableResult
    func finish(_ result: Result<T, any Error>) -> Bool {
        guard
            let continuation = state.withLock({ value -> CheckedContinuation<T, any Error>? in
                defer { value = nil }
                return value
            })
        else { return false }
        continuation.resume(with: result)
        return true
    }
}

/// Source ids → their small integer keys, once asked for.
final class SourceKeyCache: Sendable {
    private let keys = Mutex<[String: Int64]>([:])
    func get(_ id: String) -> Int64? { keys.withLock { $0[id] } }
    func set(_ id: String, _ key: Int64) { keys.withLock { $0[id] = key } }
}
