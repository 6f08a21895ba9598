import Pipeline
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

    public static func open(_ url: StoreURL, options: Options = Options()) throws -> any RecordStore {
        switch url {
        case .sqlite(let path):
            try SQLiteStore(path: path, maxBytes: options.maxBytes, deadLetterMaxBytes: options.deadLetterMaxBytes)
        }
    }
}
