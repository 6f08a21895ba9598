import Connectors
import CoreMetrics
import Resilience
import TributaryCore

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

    /// Creates this source's series at zero, so a scrape shows every source from the start
    /// (Prometheus' advice: a missing series reads as "no data", not as "none happened").
    public func register() {
        breakerState(0)
        Counter(label: "ingestion_retries_total", dimensions: [("source", source)], factory: factory).increment(by: 0)
        Counter(label: "ingestion_throttles_total", dimensions: [("source", source), ("status", "429")], factory: factory).increment(by: 0)
        Counter(label: "ingestion_requests_total", dimensions: [("source", source), ("outcome", "success")], factory: factory).increment(by: 0)
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

    /// One attempt: `ingestion_requests_total{source,outcome}`, its duration in
    /// `ingestion_request_duration_seconds{source}`, and failures by bounded reason in
    /// `ingestion_requests_errors_total{source,reason}`.
    public func request(outcome: CallOutcome, error: (any Error)?, duration: Duration) {
        counter("ingestion_requests_total", [("outcome", outcome.label)])
        if let error { counter("ingestion_requests_errors_total", [("reason", Self.reason(error))]) }
        Timer(label: "ingestion_request_duration_seconds", dimensions: [("source", source)], factory: factory)
            .recordNanoseconds(duration.nanosecondsCount)
    }

    /// Records pushed into the buffer, by kind (`ingestion_records_total{source,kind}`).
    public func records(kind: String, count: Int) {
        Counter(label: "ingestion_records_total", dimensions: [("source", source), ("kind", kind)], factory: factory).increment(by: count)
    }

    /// A bounded label for an attempt's error (never its message, which may be long or echo input).
    public static func reason(_ error: any Error) -> String {
        switch error {
        case let error as TransportError: error.label
        case let error as ConnectorError: error.code.label
        case is ResilienceError: "rejected"
        case is CancellationError: "cancelled"
        default: "other"
        }
    }

    private func counter(_ label: String, _ extra: [(String, String)] = []) {
        Counter(label: label, dimensions: [("source", source)] + extra, factory: factory).increment()
    }
}
