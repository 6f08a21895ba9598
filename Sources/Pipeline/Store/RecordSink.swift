import TributaryCore

/// Where records go after the buffer: the store, a file, a stream.
///
/// A sink writes a batch all-or-nothing and says so by throwing; the `SinkWorker` that feeds
/// it turns a failed batch into dead letters rather than dropping it, and holds the batch while
/// the sink throws ``StoreUnavailable``.
///
/// ```swift
/// struct PrintSink: RecordSink {
///     func write(_ batch: [Envelope]) async throws -> SinkWriteResult {
///         for envelope in batch { print(envelope.jsonLine) }
///         return SinkWriteResult(stored: batch.count)
///     }
/// }
/// ```
public protocol RecordSink: Sendable {
    /// Stores the batch; throws when none of it could be stored.
    func write(_ batch: [Envelope]) async throws -> SinkWriteResult
}

/// What a sink did with a batch.
public struct SinkWriteResult: Sendable, Hashable {
    /// New or changed records stored.
    public var stored: Int
    /// Records already stored with the same content (replays, retries).
    public var duplicates: Int
    /// Of `stored`, those that replaced a stored record with different content (a new revision).
    public var revisions: Int

    public init(stored: Int, duplicates: Int = 0, revisions: Int = 0) {
        self.stored = stored
        self.duplicates = duplicates
        self.revisions = revisions
    }
}
