import CoreMetrics
import Pipeline
import Synchronization
import TributaryCore

/// Streaming features in `tributary run`: every batch the store has committed goes through the
/// configured sets' engines (the code a backfill runs), and the rows they emit are upserted into
/// the store's feature table.
///
/// It sits behind the store as an extra sink of the fan-out, so a record reaches features only
/// once it is stored, in the order the sink worker committed it. A feature write that fails is
/// counted by the fan-out and logged; `tributary features backfill` recomputes those windows
/// from the stored records.
public final class FeatureSink: RecordSink {
    public let sets: [FeatureSet]
    private let store: any FeatureStore & GapStore
    private let engines: Mutex<[FeatureEngine]>
    private let now: @Sendable () -> UTCTimestamp

    public init(sets: [FeatureSet], store: any FeatureStore & GapStore, now: @escaping @Sendable () -> UTCTimestamp = { .now() }) {
        self.sets = sets
        self.store = store
        self.now = now
        engines = Mutex(sets.map { FeatureEngine(set: $0) })
    }

    /// The metric names, for the catalog of HELP texts.
    public static let latencyMetric = "features_latency_seconds"
    public static let lateMetric = "features_late_events_total"
    public static let rowsMetric = "features_rows_total"

    public func write(_ batch: [Envelope]) async throws -> SinkWriteResult {
        let (rows, gaps, late) = engines.withLock { engines -> ([FeatureRow], [Gap], [(FeatureSet, dropped: Int, corrected: Int)]) in
            var rows: [FeatureRow] = [], gaps: [Gap] = [], late: [(FeatureSet, dropped: Int, corrected: Int)] = []
            for index in engines.indices {
                let before = engines[index].counters
                let output = engines[index].ingest(batch)
                rows += output.rows
                gaps += output.gaps
                let after = engines[index].counters
                late.append((engines[index].set, after.lateDropped - before.lateDropped, after.lateCorrected - before.lateCorrected))
            }
            return (rows, gaps, late)
        }
        for (set, dropped, corrected) in late {
            if dropped > 0 {
                Counter(label: Self.lateMetric, dimensions: [("set", set.name), ("policy", set.late.rawValue), ("outcome", "dropped")]).increment(by: dropped)
            }
            if corrected > 0 {
                Counter(label: Self.lateMetric, dimensions: [("set", set.name), ("policy", set.late.rawValue), ("outcome", "corrected")]).increment(
                    by: corrected)
            }
        }
        guard !rows.isEmpty || !gaps.isEmpty else { return SinkWriteResult(stored: 0) }
        let time = now()
        let result = try await store.upsertFeatures(rows, computedBy: "run", at: time, checkpoint: nil)
        if !gaps.isEmpty { try await store.recordGaps(gaps, detectedAt: time) }
        for row in rows {
            // From the window's end (event time) to its row being stored.
            let (elapsed, overflow) = time.nanosecondsSinceEpoch.subtractingReportingOverflow(row.end.nanosecondsSinceEpoch)
            let latency = overflow ? Int64.max : max(0, elapsed)
            Timer(label: Self.latencyMetric, dimensions: [("window", row.window)]).recordNanoseconds(latency)
            Counter(label: Self.rowsMetric, dimensions: [("set", row.set)]).increment()
        }
        return SinkWriteResult(stored: result.inserted + result.updated, duplicates: result.unchanged, revisions: result.updated)
    }

    /// Each set's counters so far (for the final summary).
    public var counters: [(set: String, counters: FeatureEngine.Counters)] {
        engines.withLock { $0.map { ($0.set.name, $0.counters) } }
    }
}
