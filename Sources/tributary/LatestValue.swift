import Synchronization

/// The latest value a service reported (a sink's running totals), read once it has stopped for
/// the command's final line.
final class LatestValue<Value: Sendable>: Sendable {
    private let state: Mutex<Value>

    init(_ initial: Value) { state = Mutex(initial) }

    func set(_ value: Value) { state.withLock { $0 = value } }
    var value: Value { state.withLock { $0 } }
}
