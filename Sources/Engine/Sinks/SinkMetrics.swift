import CoreMetrics
import TributaryCore

/// The sink side's metrics: store batch latency, what each batch did, dead letters and drops.
public struct SinkMetrics: Sendable {
    private let factory: any MetricsFactory

    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        self.factory = factory
    }

    /// One batch written: `ingestion_store_batch_duration_seconds` and
    /// `ingestion_stored_total{result=stored|duplicate}`.
    public func batch(duration: Duration, stored: Int, duplicates: Int) {
        Timer(label: "ingestion_store_batch_duration_seconds", factory: factory)
            .recordNanoseconds(duration.nanosecondsCount)
        Counter(label: "ingestion_stored_total", dimensions: [("result", "stored")], factory: factory).increment(by: stored)
        Counter(label: "ingestion_stored_total", dimensions: [("result", "duplicate")], factory: factory).increment(by: duplicates)
    }

    /// Records that left the normal path, by reason: `dead_letter` (kept in the dead-letter
    /// table), `spilled` (written to the spill file at shutdown), `lost` (neither worked).
    public func dropped(_ reason: String, count: Int) {
        Counter(label: "ingestion_dropped_total", dimensions: [("reason", reason)], factory: factory).increment(by: count)
    }

    /// Creates the families at zero so a scrape shows them before anything happened.
    public func register() {
        for reason in ["dead_letter", "spilled", "lost"] { dropped(reason, count: 0) }
        Counter(label: "ingestion_stored_total", dimensions: [("result", "stored")], factory: factory).increment(by: 0)
    }
}
