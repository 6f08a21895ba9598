import Foundation
import Logging
import PostgresNIO
import StorePostgres

/// The PostgreSQL server `make test` started (`scripts/postgres-test.sh`), and a new database on
/// it for each test, so tests never see each other's rows; and clusters of a test's own, for
/// tests that stop and restart the server.
public enum TestPostgres {
    /// `TRIBUTARY_TEST_POSTGRES_URL`, the server's maintenance database; nil when no server was started.
    public static var url: String? { ProcessInfo.processInfo.environment["TRIBUTARY_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 } }

    /// Creates `t_<random>` and returns its configuration.
    public static func freshDatabase() async throws -> PostgresStoreConfiguration {
        guard let url else { throw CancellationError() }
        var admin = try PostgresStoreConfiguration(url: url)
        let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        let client = PostgresClient(configuration: .init(host: admin.host, port: admin.port, username: admin.user, password: admin.password,
                                                         database: admin.database, tls: .disable),
                                    backgroundLogger: Logger(label: "test.postgres", factory: { _ in SwiftLogNoOpLogHandler() }))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            try await client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"))
            group.cancelAll()
        }
        admin.database = String(name)
        return admin
    }

    /// A cluster of the caller's own (`scripts/postgres-test.sh start`), to stop and resume.
    public final class Cluster: Sendable {
        public let directory: String
        public let url: String

        public init() throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("tributary-pg-\(UUID().uuidString.prefix(8))").path
            url = try Self.script("start", directory).trimmingCharacters(in: .whitespacesAndNewlines)
        }

        /// Stops the server, keeping its data.
        public func halt() throws { _ = try Self.script("halt", directory) }
        /// Starts it again on the same port and data.
        public func resume() throws { _ = try Self.script("resume", directory) }
        /// Stops it and removes its files.
        public func remove() { _ = try? Self.script("stop", directory) }

        static func script(_ command: String, _ directory: String) throws -> String {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/bash")
            process.arguments = [PackageRoot.url.appendingPathComponent("scripts/postgres-test.sh").path, command, directory]
            let out = Pipe()
            process.standardOutput = out
            process.standardError = FileHandle.standardError
            try process.run()
            let data = out.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else { throw ClusterError(description: "postgres-test.sh \(command) exited \(process.terminationStatus)") }
            return String(decoding: data, as: UTF8.self)
        }
    }

    struct ClusterError: Error, CustomStringConvertible { var description: String }
}
