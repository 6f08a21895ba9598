import Foundation

/// Where and how to reach PostgreSQL, from `postgres://USER[:PASSWORD]@HOST[:PORT]/DB[?sslmode=…&statement_timeout=…&connect_timeout=…&pool=…]`.
///
/// The password may also come from `PGPASSWORD`. `sslmode` is `disable`, `prefer` (the default,
/// as libpq's) or `require` (TLS with certificate verification, so a man in the middle is
/// refused). ``redacted`` is what logs, errors and `/sources` show: never the password.
public struct PostgresStoreConfiguration: Sendable, Hashable, CustomStringConvertible {
    public enum TLSMode: String, Sendable, Hashable { case disable, prefer, require }

    public var host: String
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String
    public var tls: TLSMode
    /// The longest one statement may run before the server cancels it (an outage, not a hang).
    public var statementTimeout: Duration
    /// The longest an operation waits for a connection before the server counts as unreachable
    /// (libpq's `connect_timeout`): short, so an outage is noticed, but a loaded server that
    /// accepts slowly needs more.
    public var connectTimeout: Duration
    /// Connections the pool may open.
    public var maxConnections: Int

    public struct Invalid: Error, Sendable, Hashable, CustomStringConvertible {
        public var part: String
        public var problem: String
        public var description: String { "the PostgreSQL URL's \(part) \(problem)" }
    }

    public init(url text: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(Invalid) {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(), ["postgres", "postgresql"].contains(scheme) else {
            throw Invalid(part: "form", problem: "is not postgres://USER@HOST:PORT/DB")
        }
        guard let host = components.host, !host.isEmpty else { throw Invalid(part: "host", problem: "is missing (postgres://USER@HOST:PORT/DB)") }
        guard let user = components.user, !user.isEmpty else { throw Invalid(part: "user", problem: "is missing (postgres://USER@HOST:PORT/DB)") }
        let database = String(components.path.dropFirst())
        guard !database.isEmpty, !database.contains("/") else {
            throw Invalid(part: "database", problem: "is missing or has a '/' (postgres://USER@HOST:PORT/DB)")
        }
        if let port = components.port, !(1...65_535).contains(port) { throw Invalid(part: "port", problem: "\(port) is not 1…65535") }
        self.host = host
        port = components.port ?? 5432
        self.user = user.removingPercentEncoding ?? user
        password = components.password.map { $0.removingPercentEncoding ?? $0 } ?? environment["PGPASSWORD"]
        self.database = database
        tls = .prefer
        statementTimeout = .seconds(30)
        connectTimeout = .seconds(5)
        maxConnections = 8
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let mode = TLSMode(rawValue: item.value ?? "") else {
                    throw Invalid(part: "sslmode", problem: "'\(item.value ?? "")' is not disable, prefer or require")
                }
                tls = mode
            case "statement_timeout":
                guard let seconds = Int(item.value ?? ""), (1...3_600).contains(seconds) else {
                    throw Invalid(part: "statement_timeout", problem: "'\(item.value ?? "")' is not 1…3600 (seconds)")
                }
                statementTimeout = .seconds(seconds)
            case "connect_timeout":
                guard let seconds = Int(item.value ?? ""), (1...600).contains(seconds) else {
                    throw Invalid(part: "connect_timeout", problem: "'\(item.value ?? "")' is not 1…600 (seconds)")
                }
                connectTimeout = .seconds(seconds)
            case "pool":
                guard let size = Int(item.value ?? ""), (1...256).contains(size) else {
                    throw Invalid(part: "pool", problem: "'\(item.value ?? "")' is not 1…256")
                }
                maxConnections = size
            default:
                throw Invalid(part: "query", problem: "has '\(item.name)', which is not one of sslmode, statement_timeout, connect_timeout, pool")
            }
        }
    }

    /// The URL without its password, for messages.
    public var redacted: String { "postgres://\(user)@\(host):\(port)/\(database)" }
    public var description: String { redacted }
}
