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
/// every write is one transaction. Records are streamed into per-connection staging tables with
/// `COPY … FROM STDIN` and merged with `INSERT … ON CONFLICT (source_key, symbol, key) DO UPDATE
/// … WHERE content_hash IS DISTINCT FROM excluded.content_hash`, so upsert-by-natural-key and
/// unchanged-skip hold as in every adapter, at the database's bulk-load speed. Decimals are
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

    /// Connects (retrying for up to `connectWithin`) and creates or upgrades the schema.
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
        var options = PostgresClient.Configuration(host: configuration.host, port: configuration.port, username: configuration.user,
                                                   password: configuration.password, database: configuration.database, tls: tls)
        options.options.maximumConnections = configuration.maxConnections
        options.options.connectTimeout = .seconds(5)
        options.options.additionalStartupParameters = [("statement_timeout", "\(configuration.statementTimeout.components.seconds * 1000)"),
                                                       ("application_name", "tributary")]
        let client = PostgresClient(configuration: options, backgroundLogger: logger)
        self.client = client
        runner = Task { await client.run() }
        let deadline = ContinuousClock.now + connectWithin
        while true {
            do {
                try await PostgresSchema.migrate(client, logger: logger)
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
    func transaction<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        do {
            return try await client.withTransaction(logger: logger) { connection in try await body(connection) }
        } catch {
            throw Self.classify(error, location: location) ?? Self.described(error)
        }
    }

    /// One statement outside a transaction (reads), classified the same way.
    func rows(_ sql: String, _ values: [PGValue] = []) async throws -> [PostgresRandomAccessRow] {
        do {
            var result: [PostgresRandomAccessRow] = []
            for try await row in try await client.query(PGValue.query(sql, values), logger: logger) { result.append(row.makeRandomAccess()) }
            return result
        } catch {
            throw Self.classify(error, location: location) ?? Self.described(error)
        }
    }
}

/// Source ids → their small integer keys, once asked for.
final class SourceKeyCache: Sendable {
    private let keys = Mutex<[String: Int64]>([:])
    func get(_ id: String) -> Int64? { keys.withLock { $0[id] } }
    func set(_ id: String, _ key: Int64) { keys.withLock { $0[id] = key } }
}
