import Engine

/// What the HTTP surface reads: the engine, the store, readiness, metrics and settings.
public struct ServiceContext: Sendable {
    public let engine: IngestionEngine
    public let store: SQLiteStore?
    public let readiness: Readiness
    public let metrics: MetricsExporter
    public let settings: ServiceSettings

    public init(engine: IngestionEngine, store: SQLiteStore?, readiness: Readiness, metrics: MetricsExporter, settings: ServiceSettings) {
        self.engine = engine
        self.store = store
        self.readiness = readiness
        self.metrics = metrics
        self.settings = settings
    }
}
