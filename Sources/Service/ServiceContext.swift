import Engine
import Pipeline

/// What the HTTP surface reads: the engine, the store, readiness, metrics and settings.
public struct ServiceContext: Sendable {
    public let engine: IngestionEngine
    public let store: (any RecordStore)?
    public let readiness: Readiness
    public let metrics: MetricsExporter
    public let settings: ServiceSettings
    /// The push path, when any source has a `push:` section.
    public let push: PushGateway?
    /// With several instances sharing the poll jobs: what this one last saw of the cluster.
    public let cluster: (@Sendable () -> ClusterView)?

    public init(
        engine: IngestionEngine, store: (any RecordStore)?, readiness: Readiness, metrics: MetricsExporter, settings: ServiceSettings, push: PushGateway? = nil,
        cluster: (@Sendable () -> ClusterView)? = nil
    ) {
        self.push = push
        self.cluster = cluster
        self.engine = engine
        self.store = store
        self.readiness = readiness
        self.metrics = metrics
        self.settings = settings
    }
}
