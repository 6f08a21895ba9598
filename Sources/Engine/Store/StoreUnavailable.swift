import GRDB

/// The store cannot be written at all right now — full, read-only, gone, locked — as opposed to
/// one batch it refused.
///
/// The difference decides what happens to records: a refused batch goes to the dead-letter
/// table, but when the store itself is unavailable the dead-letter table is in the same file,
/// so the sink holds the batch, reports not-ready and retries (and spills to a file at shutdown).
public struct StoreUnavailable: Error, Sendable, Hashable, CustomStringConvertible {
    public var path: String
    public var reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "the store \(path) cannot be written: \(reason)" }

    /// Classifies a GRDB/SQLite error; nil when it is about the data, not the store.
    static func classify(_ error: any Error, path: String) -> StoreUnavailable? {
        guard let error = error as? DatabaseError else { return nil }
        let reason: String
        switch error.resultCode {
        case .SQLITE_FULL: reason = "database or disk is full (free space, or raise store.max_bytes)"
        case .SQLITE_READONLY: reason = "the file is read-only (check its permissions and the filesystem)"
        case .SQLITE_CANTOPEN: reason = "the file cannot be opened (check the folder exists and is writable)"
        case .SQLITE_IOERR: reason = "an I/O error (\(error.message ?? "disk error"))"
        case .SQLITE_BUSY, .SQLITE_LOCKED: reason = "the file is locked by another process"
        case .SQLITE_NOTADB, .SQLITE_CORRUPT: reason = "the file is not a healthy SQLite database"
        case .SQLITE_PERM, .SQLITE_AUTH: reason = "permission denied"
        default: return nil
        }
        return StoreUnavailable(path: path, reason: reason)
    }
}
