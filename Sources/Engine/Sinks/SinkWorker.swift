import Foundation
import Pipeline
import Tracing
import TributaryCore

/// Drains the buffer into a sink, a batch at a time, until the buffer is finished and empty.
///
/// Nothing is lost silently. A batch the sink refuses is written to the dead-letter store, one
/// entry per record with the reason. When the store itself is unavailable (full, read-only,
/// locked) the dead-letter table is unavailable too, so the worker keeps the batch, reports the
/// problem (the service turns `/ready` to 503) and retries; the buffer fills and the pollers wait
/// (backpressure). If the store is still unavailable while shutting down, the remaining records
/// are written to a spill file (JSON Lines) instead, and the totals say how many.
public struct SinkWorker: Sendable {
    public let buffer: NormalizationBuffer<Envelope>
    public let sink: any RecordSink
    public let deadLetters: (any DeadLetterStore)?
    public var batchSize: Int
    public var linger: Duration
    public var metrics: SinkMetrics
    /// Called with the store's problem when it becomes unavailable, and nil when it recovers.
    public var onStoreHealth: @Sendable (StoreUnavailable?) -> Void = { _ in }
    /// True once the process is shutting down: an unavailable store then spills instead of waiting.
    public var isStopping: @Sendable () -> Bool = { false }
    /// Where records go that the store cannot take at shutdown.
    public var spillPath: String?
    /// Called after each batch the sink committed (benchmarks time fetch-to-stored with it).
    public var onStored: (@Sendable ([Envelope]) -> Void)?
    /// Called with records that will never reach the store (spilled to a file, or lost).
    public var onUnstored: (@Sendable ([Envelope]) -> Void)?
    /// Wait between attempts while the store is unavailable.
    public var retryDelay: Duration = .seconds(1)

    /// Totals of one run.
    public struct Totals: Sendable, Hashable {
        public var batches = 0
        public var stored = 0
        /// Of `stored`, new revisions of records already held.
        public var revisions = 0
        public var duplicates = 0
        public var deadLettered = 0
        /// Written to the spill file because the store was unavailable at shutdown.
        public var spilled = 0
        /// Could be stored nowhere (not even the spill file); said loudly at exit.
        public var lost = 0
        public init() {}
    }

    public init(
        buffer: NormalizationBuffer<Envelope>, sink: any RecordSink, deadLetters: (any DeadLetterStore)?, batchSize: Int = 500,
        linger: Duration = .milliseconds(50), metrics: SinkMetrics = SinkMetrics()
    ) {
        self.buffer = buffer
        self.sink = sink
        self.deadLetters = deadLetters
        self.batchSize = batchSize
        self.linger = linger
        self.metrics = metrics
    }

    /// Runs until the buffer is finished and drained.
    public func run() async -> Totals {
        var totals = Totals()
        var unavailable = false
        while let batch = await buffer.next(max: batchSize, linger: linger) {
            totals.batches += 1
            while true {
                let started = ContinuousClock.now
                do {
                    let result = try await Self.traced(batch) { try await sink.write($0) }
                    metrics.batch(duration: ContinuousClock.now - started, stored: result.stored, duplicates: result.duplicates)
                    totals.stored += result.stored
                    totals.duplicates += result.duplicates
                    totals.revisions += result.revisions
                    onStored?(batch)
                    if unavailable { unavailable = false; onStoreHealth(nil) }
                } catch let error as StoreUnavailable {
                    if !unavailable { unavailable = true; onStoreHealth(error) }
                    if isStopping() {
                        spill(batch, into: &totals)
                    } else {
                        try? await Task.sleep(for: retryDelay)
                        continue
                    }
                } catch {
                    let kept = await deadLetter(batch, reason: "sink refused the batch: \(error)")
                    totals.deadLettered += kept
                    metrics.dropped("dead_letter", count: kept)
                    onStored?(Array(batch.prefix(kept)))
                    if kept < batch.count { spill(Array(batch.dropFirst(kept)), into: &totals) }
                }
                break
            }
            // Its storage holds the next batch (no batch-sized allocation per write).
            buffer.recycle(consume batch)
        }
        return totals
    }

    /// One store write as a span (`store batch`; no-op unless `run` bootstrapped an exporter),
    /// with what it held and what the store made of it. The bus sink writes through it too.
    static func traced(_ batch: [Envelope], _ write: ([Envelope]) async throws -> SinkWriteResult) async throws -> SinkWriteResult {
        try await Spans.with("store batch") { span in
            span.attributes["tributary.records"] = batch.count
            let result = try await write(batch)
            span.attributes["tributary.stored"] = result.stored
            span.attributes["tributary.duplicates"] = result.duplicates
            span.attributes["tributary.revisions"] = result.revisions
            return result
        }
    }

    /// Dead-letters the batch record by record; returns how many were kept (the rest is spilled
    /// by the caller, and the failure is counted, never swallowed).
    private func deadLetter(_ batch: [Envelope], reason: String) async -> Int {
        guard let deadLetters else { return 0 }
        var kept = 0
        for envelope in batch {
            do { try await deadLetters.deadLetter(DeadLetter(refused: envelope, reason: reason)) } catch {
                metrics.dropped("dead_letter_failed", count: batch.count - kept)
                break
            }
            kept += 1
        }
        return kept
    }

    private func spill(_ batch: [Envelope], into totals: inout Totals) {
        onUnstored?(batch)
        guard let spillPath, let file = try? JSONLinesSink(path: spillPath), (try? file.write(batch)) != nil else {
            totals.lost += batch.count
            metrics.dropped("lost", count: batch.count)
            return
        }
        totals.spilled += batch.count
        metrics.dropped("spilled", count: batch.count)
    }
}
