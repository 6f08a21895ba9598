import TributaryCore

/// Where records go after the buffer: the store, a file, a stream.
///
/// A sink writes a batch all-or-nothing and says so by throwing; the ``SinkWorker`` that feeds
/// it turns a failed batch into dead letters rather than dropping it.
///
/// ```swift
/// struct PrintSink: Sink {
///     func write(_ batch: [Envelope]) throws -> SinkWriteResult {
///         for envelope in batch { print(envelope.jsonLine) }
///         return SinkWriteResult(stored: batch.count)
///     }
/// }
/// ```
public protocol Sink: Sendable {
    /// Stores the batch; throws when none of it could be stored.
    func write(_ batch: [Envelope]) throws -> SinkWriteResult
}

/// What a sink did with a batch.
public struct SinkWriteResult: Sendable, Hashable {
    /// New or changed records stored.
    public var stored: Int
    /// Records already stored with the same content (replays, retries).
    public var duplicates: Int

    public init(stored: Int, duplicates: Int = 0) {
        self.stored = stored
        self.duplicates = duplicates
    }
}

extension SQLiteStore: Sink {
    public func write(_ batch: [Envelope]) throws -> SinkWriteResult {
        let result = try upsert(batch)
        return SinkWriteResult(stored: result.inserted + result.updated, duplicates: result.unchanged)
    }
}
