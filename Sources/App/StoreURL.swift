import Foundation
import StorePostgres

/// Which store to use, from `--store`, `store.url` / `TRIBUTARY_STORE_URL`, or `store.path`.
///
/// Accepted forms: `sqlite:PATH` (or `sqlite://PATH`), a bare path (a SQLite file), and
/// `postgres://USER[:PASSWORD]@HOST[:PORT]/DB[?sslmode=disable|prefer|require&statement_timeout=S&pool=N]`.
/// Anything else is refused with the part that is wrong, before anything is opened. The
/// description never shows a password.
public enum StoreURL: Sendable, Hashable, CustomStringConvertible {
    case sqlite(path: String)
    case postgres(PostgresStoreConfiguration)

    public struct Invalid: Error, Sendable, Hashable, CustomStringConvertible {
        public var text: String
        public var problem: String
        public var description: String { "the store '\(text.prefix(200))' cannot be used: \(problem)" }
    }

    public init(parsing text: String) throws(Invalid) {
        guard !text.isEmpty else { throw Invalid(text: text, problem: "it is empty (give sqlite:PATH or a file path)") }
        if let colon = text.firstIndex(of: ":"), case let scheme = text[..<colon], scheme.count > 1, scheme.allSatisfy({ $0.isLetter || $0 == "+" }) {
            var rest = text[text.index(after: colon)...]
            switch scheme.lowercased() {
            case "sqlite":
                if rest.hasPrefix("//") { rest = rest.dropFirst(2) }
                guard !rest.isEmpty else { throw Invalid(text: text, problem: "no file path after 'sqlite:' (e.g. sqlite:data/tributary.sqlite)") }
                self = .sqlite(path: String(rest))
            case "postgres", "postgresql":
                do { self = .postgres(try PostgresStoreConfiguration(url: text)) } catch {
                    throw Invalid(text: Self.redacting(text), problem: error.description)
                }
            default:
                throw Invalid(
                    text: Self.redacting(text),
                    problem: "the scheme '\(scheme)' is not a store this build has (use sqlite:PATH or postgres://USER@HOST:PORT/DB)")
            }
            return
        }
        self = .sqlite(path: text)
    }

    /// Where records the store could not take at shutdown are written, before `.unsaved-<time>.jsonl`:
    /// beside the SQLite file.
    public var spillPrefix: String {
        switch self {
        case .sqlite(let path): path
        case .postgres(let configuration): "data/postgres-\(configuration.host)-\(configuration.database)"
        }
    }

    /// What messages show (never a credential).
    public var description: String {
        switch self {
        case .sqlite(let path): path
        case .postgres(let configuration): configuration.redacted
        }
    }

    /// `text` with anything between `://` and `@` after the first `:` (a password) replaced.
    public static func redacting(_ text: String) -> String {
        guard let scheme = text.range(of: "://"), let at = text[scheme.upperBound...].firstIndex(of: "@"),
            let colon = text[scheme.upperBound..<at].firstIndex(of: ":")
        else { return text }
        return String(text[..<text.index(after: colon)]) + "REDACTED" + String(text[at...])
    }
}
