import GRDB
import Pipeline

extension SQLiteStore {
    /// Classifies a GRDB/SQLite error as the store being unavailable; nil when it is about the
    /// data (a constraint, a bad value), which dead-letters the batch instead.
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
        return StoreUnavailable(location: path, reason: reason)
    }
}
