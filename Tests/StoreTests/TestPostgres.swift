import Foundation
import Logging
import PostgresNIO
import StorePostgres

/// The PostgreSQL server `make test` started (`scripts/postgres-test.sh`), and a new database on
/// it for each test, so tests never see each other's rows.
enum TestPostgres {
    /// `TRIBUTARY_TEST_POSTGRES_URL`, the server's maintenance database; nil when no server was started.
    static var url: String? { ProcessInfo.processInfo.environment["TRIBUTARY_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 } }

    /// Creates `t_<random>` and returns its configuration.
    static func freshDatabase() async throws -> PostgresStoreConfiguration {
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
}
