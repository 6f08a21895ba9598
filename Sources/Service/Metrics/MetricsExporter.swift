import Connectors
import CoreMetrics
import Engine
import Pipeline
import Prometheus
import TributaryCore

/// `/metrics`: everything recorded through swift-metrics, plus gauges read at scrape time.
///
/// Counters and histograms are recorded where things happen (requests, batches, breakers).
/// Levels — buffer depth, dead-letter count, each source's age and staleness — are read when
/// Prometheus asks, so they are never older than the scrape.
public final class MetricsExporter: Sendable {
    public let registry: PrometheusCollectorRegistry
    public let factory: DescribedMetricsFactory

    public init() {
        registry = PrometheusCollectorRegistry()
        // Fetches on loopback take well under 5 ms; the usual buckets start there.
        let latency: [Duration] = [
            .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
            .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
            .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30),
        ]
        let values: [Double] = [1, 5, 10, 50, 100, 500, 1_000, 5_000, 10_000, 50_000, 100_000]
        factory = DescribedMetricsFactory(registry: registry, durationBuckets: latency, valueBuckets: values)
    }

    /// Makes this exporter the process's metrics backend (once per process).
    public func bootstrap() {
        MetricsSystem.bootstrap(factory)
    }

    private func gauge(_ name: String, _ labels: [(String, String)] = []) -> Prometheus.Gauge {
        registry.makeGauge(descriptor: DescribedMetricsFactory.descriptor(name), labels: labels)
    }

    /// The Prometheus text of every metric, after refreshing the scrape-time gauges.
    ///
    /// Every source the engine runs gets its condition series at every scrape — also one that has
    /// not delivered anything yet, so "never succeeded" can alert (`ingestion_source_failing`,
    /// and `ingestion_source_stale` once its threshold has passed since start).
    public func render(engine: IngestionEngine, store: (any DeadLetterStore)?, settings: ServiceSettings, cluster: ClusterView? = nil) async -> String {
        if let cluster {
            gauge("ingestion_cluster_instances").set(Int64(cluster.instances.count))
            gauge("ingestion_cluster_jobs_held").set(Int64(cluster.held.count))
            gauge("ingestion_cluster_jobs").set(Int64(engine.jobs.count))
            gauge("ingestion_cluster_lease_errors").set(Int64(cluster.lastError == nil ? 0 : 1))
        }
        let stats = engine.buffer.stats
        gauge("ingestion_queue_depth").set(Int64(stats.depth))
        gauge("ingestion_queue_capacity").set(Int64(stats.capacity))
        gauge("ingestion_queue_waiting_producers").set(Int64(stats.waitingProducers))
        if let store { await refreshStoreGauges(store) }
        let now = UTCTimestamp.now()
        for source in engine.guards.keys.sorted() {
            let labels = [("source", source.rawValue)]
            let entry = engine.activity[source]
            let condition = engine.condition(source, fallback: settings.staleAfter, now: now)
            gauge("ingestion_source_stale", labels).set(Int64(condition.stale ? 1 : 0))
            gauge("ingestion_source_failing", labels).set(Int64(condition.failing ? 1 : 0))
            gauge("ingestion_source_last_success_timestamp_seconds", labels)
                .set(entry.lastSuccessAt.map { Int64($0.nanosecondsSinceEpoch / 1_000_000_000) } ?? 0)
            let target = engine.definitions[source]?.p95Target ?? settings.p95Target
            gauge("ingestion_source_p95_target_seconds", labels).set(Double(target.nanosecondsCount) / 1e9)
            if let age = entry.age(at: now) { gauge("ingestion_source_age_seconds", labels).set(Int64(age.components.seconds)) }
        }
        return registry.emitToString()
    }

    /// `tributary sink`'s `/metrics`: what was recorded, plus the consumer's lag and the dead
    /// letters, read now (a bus or store that does not answer leaves its gauges as they were).
    public func renderSink(consumer: any BusConsumer, store: any DeadLetterStore) async -> String {
        if let lag = try? await consumer.lag() {
            gauge("ingestion_bus_lag_messages").set(Int64(lag.pending))
            gauge("ingestion_bus_pending_acks").set(Int64(lag.unacknowledged))
            gauge("ingestion_bus_up").set(Int64(1))
        } else {
            gauge("ingestion_bus_up").set(Int64(0))
        }
        await refreshStoreGauges(store)
        return registry.emitToString()
    }

    /// The dead-letter counts and `ingestion_store_up`, read now. A store that cannot be read
    /// leaves the dead-letter gauges at their last values; /ready says why.
    private func refreshStoreGauges(_ store: any DeadLetterStore) async {
        if let count = try? await store.deadLetterCount(), let pending = try? await store.deadLetterCount(pending: true) {
            gauge("ingestion_dead_letters").set(Int64(count))
            gauge("ingestion_dead_letters_pending").set(Int64(pending))
            gauge("ingestion_store_up").set(Int64(1))
        } else {
            gauge("ingestion_store_up").set(Int64(0))
        }
    }
}
