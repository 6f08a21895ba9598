import Pipeline
import CoreMetrics
import Engine
import Prometheus
import TributaryCore

/// `/metrics`: everything recorded through swift-metrics, plus gauges read at scrape time.
///
/// Counters and histograms are recorded where things happen (requests, batches, breakers).
/// Levels — buffer depth, dead-letter count, each source's age and staleness — are read when
/// Prometheus asks, so they are never older than the scrape.
public final class MetricsExporter: Sendable {
    public let registry: PrometheusCollectorRegistry
    public let factory: PrometheusMetricsFactory

    public init() {
        registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        // Fetches on loopback take well under 5 ms; the default buckets start there.
        let latency: [Duration] = [.microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
                                   .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
                                   .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30)]
        factory.defaultDurationHistogramBuckets = latency
        self.factory = factory
    }

    /// Makes this exporter the process's metrics backend (once per process).
    public func bootstrap() {
        MetricsSystem.bootstrap(factory)
    }

    private func gauge(_ name: String, _ unit: String, _ help: String, _ labels: [(String, String)] = []) -> Prometheus.Gauge {
        registry.makeGauge(descriptor: MetricNameDescriptor(namespace: "ingestion", metricName: name, unitName: unit, helpText: help), labels: labels)
    }

    /// The Prometheus text of every metric, after refreshing the scrape-time gauges.
    public func render(engine: IngestionEngine, store: (any DeadLetterStore)?, staleAfter: Duration) async -> String {
        let stats = engine.buffer.stats
        gauge("queue_depth", "", "Records in the normalization buffer.").set(Int64(stats.depth))
        gauge("queue_capacity", "", "Records the buffer holds before producers wait.").set(Int64(stats.capacity))
        gauge("queue_waiting_producers", "", "Producers waiting for buffer space (backpressure).").set(Int64(stats.waitingProducers))
        // A store that cannot be read leaves the gauge at its last value; /ready says why.
        if let store, let count = try? await store.deadLetterCount() {
            gauge("dead_letters", "", "Rows in the dead-letter table.").set(Int64(count))
        }
        let now = UTCTimestamp.now()
        for (source, entry) in engine.activity.all {
            let labels = [("source", source.rawValue)]
            guard let age = entry.age(at: now) else { continue }
            gauge("source_age", "seconds", "Age of the newest as_of a source delivered.", labels).set(Int64(age.components.seconds))
            let stale = age > engine.staleAfter(source, fallback: staleAfter)
            gauge("source_stale", "", "1 when a source's newest as_of is older than its threshold.", labels).set(Int64(stale ? 1 : 0))
        }
        return registry.emitToString()
    }
}
