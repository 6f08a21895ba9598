import Foundation

/// The aggregator's own settings (not a source's): where the store is, how big the buffer and
/// the pool are, where the HTTP surface listens, how long a shutdown may take.
///
/// Read once at start-up by ``ServiceSettingsLoader`` from defaults, an optional
/// `tributary.yaml`, `TRIBUTARY_…` environment variables and flags, in rising precedence.
/// Every field has an allowed range; a value outside it stops the start with its key and range.
public struct ServiceSettings: Sendable, Equatable {
    /// The SQLite file (`store.path`), used when no `store.url` is set.
    public var storePath = "data/tributary.sqlite"
    /// The store to use (`store.url`, `TRIBUTARY_STORE_URL`, `--store`): `sqlite:PATH` or a path.
    public var storeURL: String?
    /// What names the store: `store.url` when set, else `store.path`.
    public var storeText: String { storeURL ?? storePath }
    /// The record bus (`bus.url`, `TRIBUTARY_BUS_URL`, `--bus`): `nats://HOST:PORT[,…]`; nil: none,
    /// `run` stores in-process.
    public var busURL: String?
    /// Copies of each message when `run` creates the bus's stream (`bus.replicas`).
    public var busReplicas = 1
    /// Records of one subject per bus message, at most (`bus.events_per_message`): batches cut
    /// the stream's per-message cost; 1 sends a message per record.
    public var busEventsPerMessage = 100
    /// How long a poll-job lease lives without renewal (`bus.lease_ttl`): with several `run --bus`
    /// instances, a dead one's jobs are taken over within this plus one poll period.
    public var busLeaseTTL: Duration = .seconds(10)
    /// This instance's name among those sharing the poll jobs (`bus.instance`); nil: host and pid.
    public var busInstance: String?
    /// Records per store transaction (`store.batch_size`).
    public var storeBatchSize = 500
    /// How long the sink waits to fill a batch (`store.linger`).
    public var storeLinger: Duration = .milliseconds(50)
    /// Cap on the store file's size in bytes; 0: none (`store.max_bytes`). Past it the store
    /// reports itself full: not ready, records held, spilled at shutdown.
    public var storeMaxBytes = 0
    /// Largest raw body kept per dead letter (`store.dead_letter_max_bytes`).
    public var deadLetterMaxBytes = 64 * 1024
    /// Records the buffer holds before producers wait (`buffer.capacity`).
    public var bufferCapacity = 10_000
    /// Connections the libcurl pool keeps in all (`pool.max_connections`).
    public var poolMaxConnections = 5_000
    /// Connections per host (`pool.max_per_host`).
    public var poolMaxPerHost = 100
    /// Interface of the HTTP surface (`http.host`).
    public var httpHost = "127.0.0.1"
    /// Port of the HTTP surface; 0 picks a free one (`http.port`).
    public var httpPort = 8080
    /// Time a graceful shutdown may take before the process exits anyway (`shutdown.deadline`).
    public var shutdownDeadline: Duration = .seconds(10)
    /// A source whose newest `as_of` is older than this is stale (`freshness.stale_after`);
    /// per source it is at least three of its poll periods.
    public var staleAfter: Duration = .seconds(120)
    /// A source's last price this far from the median of all sources is an outlier, in percent
    /// (`freshness.outlier_percent`).
    public var outlierPercent = 2.0
    /// The p95 request latency a source should stay under (`latency.p95_target`); a Sources.d
    /// `p95_target` overrides it per source. Exported as `ingestion_source_p95_target_seconds`
    /// so the shipped alert fires when a source misses it.
    public var p95Target: Duration = .seconds(2)

    /// How long an Idempotency-Key and its first response are kept (`push.idempotency_ttl`).
    public var idempotencyTTL: Duration = .seconds(86_400)

    /// How long a pushed batch that finds the buffer full waits for room before it is answered
    /// 429 (`push.wait_for_room`; 0 answers at once).
    public var pushWaitForRoom: Duration = .milliseconds(250)

    public init() {}
}
