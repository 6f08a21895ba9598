/// Which store to use, from `--store`, `store.url` / `TRIBUTARY_STORE_URL`, or `store.path`.
///
/// Accepted forms: `sqlite:PATH` (or `sqlite://PATH`) and a bare path, which is a SQLite file.
/// Anything else is refused with the part that is wrong, before anything is opened.
public enum StoreURL: Sendable, Hashable, CustomStringConvertible {
    case sqlite(path: String)

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
            default:
                throw Invalid(text: text, problem: "the scheme '\(scheme)' is not a store this build has (use sqlite:PATH)")
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
        }
    }

    /// What messages show (never a credential).
    public var description: String {
        switch self {
        case .sqlite(let path): path
        }
    }
}
