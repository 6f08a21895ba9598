import Foundation
import Pipeline
import StorePostgres
import StoreSQLite

/// Opens the store a ``StoreURL`` names: the one place that turns settings into an adapter.
///
/// Commands and the service ask for `any RecordStore` from here and never name an adapter, so
/// adding a database means adding a case here and an adapter target, nothing else.
public enum StoreFactory {
    /// Limits that every adapter honours.
    public struct Options: Sendable {
        /// A cap on the store's size in bytes (0: none).
        public var maxBytes = 0
        /// The largest raw body a dead letter keeps.
        public var deadLetterMaxBytes = 64 * 1024
        public init(maxBytes: Int = 0, deadLetterMaxBytes: Int = 64 * 1024) {
            self.maxBytes = maxBytes
            self.deadLetterMaxBytes = deadLetterMaxBytes
        }
    }

    public static func open(_ url: StoreURL, options: Options = Options()) async throws -> any RecordStore {
        switch url {
        case .sqlite(let path):
            return try SQLiteStore(
                path: path, maxBytes: options.maxBytes, deadLetterMaxBytes: options.deadLetterMaxBytes,
                migrationProgress: { moved, total in
                    // Only a version-1 file says anything: its records moving into the typed tables.
                    FileHandle.standardError.write(Data("store: migrating \(path) to typed tables: \(moved)/\(total) records\n".utf8))
                })
        case .postgres(let configuration):
            return try await PostgresStore(configuration, deadLetterMaxBytes: options.deadLetterMaxBytes)
        }
    }
}
