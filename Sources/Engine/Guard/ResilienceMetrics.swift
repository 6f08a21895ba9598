import CoreMetrics

/// The resilience layer's metrics, per source, with the `ingestion_` names of ARCHITECTURE.md.
///
/// Takes its factory as a parameter (default: the bootstrapped `MetricsSystem`), so tests read
/// them from a `TestMetrics` without touching global state.
public struct ResilienceMetrics: Sendable {
    public let source: String
    private let factory: any MetricsFactory

    public init(source: String, factory: any MetricsFactory = MetricsSystem.factory) {
        self.source = source
        self.factory = factory
    }

    /// 0 closed, 1 half-open, 2 open, 3 paused (throttled or quota).
    public func breakerState(_ value: Int) {
        Gauge(label: "ingestion_breaker_state", dimensions: [("source", source)], factory: factory).record(value)
    }

    public func breakerTransition(to state: String) {
        counter("ingestion_breaker_transitions_total", [("to", state)])
    }

    public func retry() { counter("ingestion_retries_total") }

    public func throttle(status: Int) { counter("ingestion_throttles_total", [("status", String(status))]) }

    /// `reason`: breaker, bulkhead, limiter, paused, quota, budget.
    public func rejection(_ reason: String) { counter("ingestion_rejections_total", [("reason", reason)]) }

    private func counter(_ label: String, _ extra: [(String, String)] = []) {
        Counter(label: label, dimensions: [("source", source)] + extra, factory: factory).increment()
    }
}
