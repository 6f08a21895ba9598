import Synchronization

/// Whether the aggregator should receive traffic: `/ready` answers 200 only while serving with
/// a writable store; 503 while starting, while draining at shutdown, or while the store is
/// unavailable — so an orchestrator stops sending work before it would be lost or refused.
public final class Readiness: Sendable {
    public enum Phase: String, Sendable {
        case starting, serving, draining
    }

    private let state = Mutex<(phase: Phase, storeProblem: String?, busProblem: String?)>((.starting, nil, nil))

    public init() {}

    public func enter(_ phase: Phase) {
        state.withLock { $0.phase = phase }
    }

    /// The store's problem (nil when it is writable again).
    public func storeProblem(_ problem: String?) {
        state.withLock { $0.storeProblem = problem }
    }

    /// The bus's problem, for `tributary sink` (nil when fetching works again).
    public func busProblem(_ problem: String?) {
        state.withLock { $0.busProblem = problem }
    }

    public var phase: Phase { state.withLock { $0.phase } }

    /// nil when ready; otherwise why not, in words.
    public var notReadyReason: String? {
        state.withLock { state in
            switch state.phase {
            case .starting: "starting"
            case .draining: "draining: shutting down"
            case .serving:
                state.storeProblem.map { "store unavailable: \($0)" } ?? state.busProblem.map { "bus unavailable: \($0)" }
            }
        }
    }
}
