import TributaryCore

/// Everything Tributary keeps: records, dead letters, gaps, idempotency keys, webhook ids and
/// import checkpoints, in one store so a batch and its bookkeeping commit together.
///
/// The engine, the HTTP surface and the commands see only these protocols; an adapter
/// (`SQLiteStore`, the PostgreSQL store, `InMemoryStore` for tests) implements them and only the
/// composition root (`App.StoreFactory`) names one. Each piece of code asks for the narrowest
/// port it needs: the sink worker a ``RecordSink`` and a ``DeadLetterStore``, the latest view a
/// ``RecordReader``, the push gateway an ``IdempotencyStore`` and a ``WebhookIDStore``.
///
/// ```swift
/// let store: any RecordStore = try StoreFactory.open(settings.store)
/// let result = try await store.upsert(batch)   // inserted / updated / unchanged
/// ```
public protocol RecordStore: RecordSink, RecordWriter, RecordReader, DeadLetterStore, GapStore, IdempotencyStore, WebhookIDStore, ImportCheckpointStore,
    ObjectStateStore, DocumentStore, FeatureStore
{
    /// Where the store is, for messages: a file path, or a URL without its credentials.
    var location: String { get }
}

extension RecordStore {
    /// The store as a sink: every changed record counts as stored, an identical one as a duplicate.
    public func write(_ batch: [Envelope]) async throws -> SinkWriteResult {
        let result = try await upsert(batch)
        return SinkWriteResult(stored: result.stored, duplicates: result.unchanged, revisions: result.updated)
    }
}
