/// A cap on one source's requests in flight, so a hung upstream holds only its own permits.
///
/// Without it, a source that accepts connections and never answers would pile up requests
/// (each waiting for its timeout) and take connections and tasks that healthy sources need.
/// Pure counting: the worker asks before sending and releases when the call ends.
public struct Bulkhead: Sendable, Hashable {
    public let maxConcurrent: Int
    public private(set) var inFlight = 0
    /// Calls turned away because every permit was taken.
    public private(set) var rejected = 0

    public init(maxConcurrent: Int) {
        precondition(maxConcurrent > 0, "a bulkhead needs at least one permit")
        self.maxConcurrent = maxConcurrent
    }

    public mutating func tryAcquire() -> Bool {
        guard inFlight < maxConcurrent else {
            rejected += 1
            return false
        }
        inFlight += 1
        return true
    }

    public mutating func release() {
        precondition(inFlight > 0, "Internal inconsistency: bulkhead released more permits than it gave")
        inFlight -= 1
    }
}
