/// The store cannot be written at all right now — full, read-only, gone, locked, unreachable —
/// as opposed to one batch it refused.
///
/// The difference decides what happens to records: a refused batch goes to the dead-letter
/// table, but when the store itself is unavailable the dead-letter table is in the same store,
/// so the sink holds the batch, reports not-ready and retries (and spills to a file at shutdown).
/// Each adapter classifies its own database's errors into this one type.
public struct StoreUnavailable: Error, Sendable, Hashable, CustomStringConvertible {
    /// Where the store is: a file path, or a URL with its credentials removed.
    public var location: String
    /// What is wrong and how to fix it.
    public var reason: String

    public init(location: String, reason: String) {
        self.location = location
        self.reason = reason
    }

    public var description: String { "the store \(location) cannot be written: \(reason)" }
}
