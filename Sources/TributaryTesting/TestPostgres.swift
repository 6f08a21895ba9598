import Foundation
import Logging
import PostgresNIO
import StorePostgres

#if canImport(Glibc)
    import Glibc
#endif

/// The PostgreSQL server `make test` started (`scripts/postgres-test.sh`), and a new database on
/// it for each test, so tests never see each other's rows; and clusters of a test's own, for
/// tests that stop and restart the server.
public enum TestPostgres {
    /// `TRIBUTARY_TEST_POSTGRES_URL`, the server's maintenance database; nil when no server was started.
    public static var url: String? { ProcessInfo.processInfo.environment["TRIBUTARY_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 } }

    /// How long a test's store waits for a connection: `make test` runs hundreds of tests on two
    /// cores, and a loaded server can take longer than the production default of 5 s to accept.
    public static let connectTimeout: Duration = .seconds(60)

    /// How long one statement may run in a test's store: a fresh database's migration among
    /// dozens at once on a loaded two-core machine has taken over the production 30 s.
    public static let statementTimeout: Duration = .seconds(120)

    /// Creates `t_<random>` and returns the URL a `tributary` process is given for it.
    public static func freshDatabaseURL() async throws -> String {
        let database = try await freshDatabase()
        return
            "postgres://\(database.user)@\(database.host):\(database.port)/\(database.database)?sslmode=disable&connect_timeout=\(connectTimeout.components.seconds)&statement_timeout=\(statementTimeout.components.seconds)"
    }

    /// Creates `t_<random>` and returns its configuration.
    public static func freshDatabase() async throws -> PostgresStoreConfiguration {
        guard let url else { throw CancellationError() }
        var admin = try PostgresStoreConfiguration(url: url)
        let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        let client = PostgresClient(
            configuration: .init(
                host: admin.host, port: admin.port, username: admin.user, password: admin.password,
                database: admin.database, tls: .disable),
            backgroundLogger: Logger(label: "test.postgres", factory: { _ in SwiftLogNoOpLogHandler() }))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            try await client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"))
            group.cancelAll()
        }
        admin.database = String(name)
        admin.connectTimeout = connectTimeout
        admin.statementTimeout = statementTimeout
        return admin
    }

    /// A cluster of the caller's own (`scripts/postgres-test.sh start`), to stop and resume.
    public final class Cluster: Sendable {
        public let directory: String
        public let url: String

        public init() throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("tributary-pg-\(UUID().uuidString.prefix(8))").path
            try Self.script("start", directory)
            url = try String(contentsOfFile: directory + "/url", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        }

        /// Stops the server, keeping its data.
        public func halt() throws { try Self.script("halt", directory) }
        /// Starts it again on the same port and data.
        public func resume() throws { try Self.script("resume", directory) }
        /// Stops it and removes its files.
        public func remove() { try? Self.script("stop", directory) }

        /// Runs the script (no pipes: the server it starts must not hold one open) and waits for
        /// it with `waitpid`; Foundation's `Process` was seen to miss this script's exit.
        static func script(_ command: String, _ directory: String) throws {
            let path = PackageRoot.url.appendingPathComponent("scripts/postgres-test.sh").path
            let arguments = ["/bin/bash", path, command, directory]
            var pid: pid_t = 0
            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            for fd: Int32 in [0, 1, 2] { posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0) }
            var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
            defer { for pointer in argv { free(pointer) } }
            let spawned = posix_spawn(&pid, "/bin/bash", &actions, nil, &argv, environ)
            guard spawned == 0 else { throw ClusterError(description: "cannot start postgres-test.sh: errno \(spawned)") }
            var status: Int32 = 0
            while waitpid(pid, &status, 0) == -1, errno == EINTR {}
            guard status == 0 else { throw ClusterError(description: "postgres-test.sh \(command) failed (wait status \(status))") }
        }
    }

    struct ClusterError: Error, CustomStringConvertible { var description: String }
}
