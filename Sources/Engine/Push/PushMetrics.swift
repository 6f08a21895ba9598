import CoreMetrics
import Synchronization
import TributaryCore

/// One push source's metric handles, each made once and kept rather than made per request.
///
/// Why: `Counter(label:dimensions:)` asks the registry every time (a lock and a dictionary keyed
/// by label and dimensions); three of those per request were 2 % of a process answering
/// single-event pushes. Outcomes and kinds are small fixed sets, so their handles are made on
/// first use — a series appears once it has counted something, as before.
final class PushMetrics: Sendable {
    /// The `source` label of pushes to a path no source is configured for.
    static let unknownSource = "(unknown)"

    let source: String
    let latency: Timer
    private let factory: any MetricsFactory
    private let counters = Mutex<[Series: Counter]>([:])

    private enum Series: Hashable {
        case requests(outcome: String)
        case errors(reason: String)
        case records(Record.Kind)
    }

    init(source: String, factory: any MetricsFactory) {
        self.source = source
        self.factory = factory
        latency = Timer(label: "ingestion_processing_latency_seconds", dimensions: [("source", source)], factory: factory)
    }

    /// Counts an answered request by its outcome, and as an error (by the same code) when it failed.
    func answered(_ outcome: String, failed: Bool) {
        counter(.requests(outcome: outcome)).increment()
        if failed { counter(.errors(reason: outcome)).increment() }
    }

    /// Counts records put into the buffer.
    func buffered(_ count: Int, of kind: Record.Kind) {
        counter(.records(kind)).increment(by: count)
    }

    private func counter(_ series: Series) -> Counter {
        let (source, factory) = (self.source, self.factory)
        return counters.withLock { known in
            if let counter = known[series] { return counter }
            let counter =
                switch series {
                case .requests(let outcome):
                    Counter(label: "ingestion_requests_total", dimensions: [("source", source), ("outcome", outcome)], factory: factory)
                case .errors(let reason):
                    Counter(label: "ingestion_requests_errors_total", dimensions: [("source", source), ("reason", reason)], factory: factory)
                case .records(let kind):
                    Counter(label: "ingestion_records_total", dimensions: [("source", source), ("kind", kind.rawValue)], factory: factory)
                }
            known[series] = counter
            return counter
        }
    }
}
