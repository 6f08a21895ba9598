import Synchronization
import TributaryCore

/// Decides, per request, whether a fault fires; shared by the middleware and the control endpoint.
///
/// Seeded, so a test with the same seed and request order sees the same faults.
public final class FaultInjector: Sendable {
    private struct State {
        var faults: [MockFault]
        var generator: SplitMix64
        var fired: [String: Int] = [:]
    }

    private let state: Mutex<State>

    public init(faults: [MockFault] = [], seed: UInt64 = 42) {
        state = Mutex(State(faults: faults, generator: SplitMix64(seed: seed)))
    }

    public var faults: [MockFault] { state.withLock { $0.faults } }

    /// How many times faults fired, by `source:kind` text.
    public var firedCounts: [String: Int] { state.withLock { $0.fired } }

    public func add(_ fault: MockFault) { state.withLock { $0.faults.append(fault) } }

    public func clear() { state.withLock { $0.faults.removeAll() } }

    /// The fault to apply to a request for `source`, if one fires.
    public func fault(for source: String) -> MockFault? {
        state.withLock { state in
            for index in state.faults.indices where state.faults[index].source == source || state.faults[index].source == "*" {
                var fault = state.faults[index]
                if let count = fault.count, count == 0 { continue }
                let roll = Double(state.generator.next() % 1_000_000) / 1_000_000
                guard roll < fault.rate else { continue }
                if let count = fault.count {
                    fault.count = count - 1
                    state.faults[index] = fault
                }
                state.fired[fault.description.split(separator: ":").prefix(2).joined(separator: ":"), default: 0] += 1
                return fault
            }
            return nil
        }
    }
}
