import Pipeline
import TributaryCore

/// `import --bus`: the import's records go to the record bus (and from there, through `tributary
/// sink`, to the store), while its bookkeeping — checkpoints, bad rows, column types, object
/// states — stays in the store the sinks write.
///
/// Each batch is published first and its checkpoint committed only once the stream has
/// acknowledged every record of it, so a `kill -9` between the two publishes that batch again on
/// the re-run: the stream's duplicate window (message id = source and content hash) and the
/// sinks' upsert by natural key make the repeat harmless. A bus that does not acknowledge is
/// retried `attempts` times, `retryDelay` apart, then the import stops with the reason (a re-run
/// resumes after the last committed batch).
public struct BusImportCheckpoints: ImportCheckpointStore {
    public let store: any ImportCheckpointStore
    public let bus: any RecordSink
    public var retryDelay: Duration = .seconds(1)
    public var attempts = 30

    public init(store: any ImportCheckpointStore, bus: any RecordSink) {
        self.store = store
        self.bus = bus
    }

    /// Why a batch could not be published.
    public struct Unpublished: Error, CustomStringConvertible {
        public var rowsDone: Int
        public var reason: String
        public var description: String {
            "the bus did not acknowledge the batch ending at row \(rowsDone) (\(reason)); nothing after the last committed batch was kept — run the same command again to resume"
        }
    }

    /// Publishes the batch's records, then commits the rest of it (bad rows, checkpoint, object
    /// state) to the store. `inserted` counts records the stream took as new, `unchanged` the
    /// ones it already had (its duplicate window); the sinks decide what the store keeps.
    public func commitImportBatch(_ batch: ImportBatch) async throws -> WriteResult {
        var result = WriteResult()
        if !batch.records.isEmpty {
            let published = try await publish(batch)
            result = WriteResult(inserted: published.stored, unchanged: published.duplicates)
        }
        var rest = batch
        rest.records = []
        rest.prepared = nil
        try await store.commitImportBatch(rest)
        return result
    }

    private func publish(_ batch: ImportBatch) async throws -> SinkWriteResult {
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await bus.write(batch.records)
            } catch let error as StoreUnavailable {
                guard attempt < attempts else { throw Unpublished(rowsDone: batch.rowsDone, reason: error.reason) }
                try await Task.sleep(for: retryDelay)
            }
        }
    }

    public func importProgress(fileSHA256: String, source: String) async throws -> ImportProgress? {
        try await store.importProgress(fileSHA256: fileSHA256, source: source)
    }

    public func importColumns(source: String) async throws -> [String: String] { try await store.importColumns(source: source) }

    public func recordImportColumns(_ columns: [(name: String, type: String)], source: String, file: String) async throws {
        try await store.recordImportColumns(columns, source: source, file: file)
    }

    // Dead letters are the store's.

    public func deadLetter(_ letter: DeadLetter) async throws -> Int64 { try await store.deadLetter(letter) }

    public func deadLetters(limit: Int, source: String?, pending: Bool) async throws -> [DeadLetter] {
        try await store.deadLetters(limit: limit, source: source, pending: pending)
    }

    public func deadLetter(id: Int64) async throws -> DeadLetter? { try await store.deadLetter(id: id) }

    public func markReplayed(id: Int64, at time: UTCTimestamp) async throws { try await store.markReplayed(id: id, at: time) }

    public func resolveDeadLetters(_ resolutions: [DeadLetterResolution], at time: UTCTimestamp) async throws -> Int {
        try await store.resolveDeadLetters(resolutions, at: time)
    }

    public func deleteDeadLetters(ids: [Int64]) async throws -> Int { try await store.deleteDeadLetters(ids: ids) }

    public func deleteSettledDeadLetters(source: String?) async throws -> Int { try await store.deleteSettledDeadLetters(source: source) }

    public func pendingRowDeadLetters(source: String, file: String) async throws -> [Int: [Int64]] {
        try await store.pendingRowDeadLetters(source: source, file: file)
    }

    public func deadLetterCount(pending: Bool) async throws -> Int { try await store.deadLetterCount(pending: pending) }
}
