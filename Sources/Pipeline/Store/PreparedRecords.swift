import TributaryCore

/// Records encoded for one store's write ahead of the write itself.
///
/// Why: a store has one writer (SQLite's single write connection), and turning envelopes into
/// what its statements bind — provenance grouped into batches, keys and decimals as text, hashes
/// as bytes — took as long as the database's own work, all of it on that one thread. A caller
/// that makes the records on other cores (an import converts chunks on every core) asks the
/// store to prepare them there, and hands the result back with the write. Only the store that
/// made it reads it; any other store, or none given, prepares the records itself.
public struct PreparedRecords: Sendable {
    /// The store's own encoding.
    public let encoding: any Sendable
    /// How many records it encodes (a check that it was made from the records it comes with).
    public let count: Int

    public init(encoding: any Sendable, count: Int) {
        self.encoding = encoding
        self.count = count
    }
}

/// A store that can prepare records for its write on the caller's thread (no database access).
public protocol RecordPreparing: Sendable {
    /// Encodes `records` for a later ``ImportCheckpointStore/commitImportBatch(_:)`` of them.
    func prepare(_ records: [Envelope]) -> PreparedRecords
}
