import Synchronization

/// The publish batches waiting for the stream's acknowledgements.
///
/// Each message of a batch carries the batch's number, and how many records it holds, in
/// headers; libnats calls back once per message (stored, duplicate, or failed — a missing
/// acknowledgement times out into a failure), and the batch's waiter is resumed when its last
/// message is settled. The tally counts records.
final class PublishAcks: Sendable {
    static let batchHeader = "Tributary-Batch"
    static let eventsHeader = "Tributary-Events"

    enum Outcome: Sendable {
        case stored, duplicate
        case failed(String)
    }

    struct Tally: Sendable {
        var stored = 0
        var duplicates = 0
        var failures: [String] = []
        /// Records in the failed messages.
        var unacknowledged = 0
    }

    private struct Waiter {
        var remaining: Int
        var tally = Tally()
        var continuation: CheckedContinuation<Tally, Never>?
    }

    private struct State {
        var next: UInt64 = 0
        var waiters: [UInt64: Waiter] = [:]
    }

    private let state = Mutex(State())

    /// A new batch of `count` messages; settle them, then ``wait(_:)``.
    func open(count: Int) -> UInt64 {
        state.withLock { state in
            state.next += 1
            state.waiters[state.next] = Waiter(remaining: count)
            return state.next
        }
    }

    /// One message's outcome, for its `records` (from libnats's thread, or when a publish call
    /// failed outright).
    func settle(batch: UInt64, records: Int, outcome: Outcome) {
        let finished: (CheckedContinuation<Tally, Never>, Tally)? = state.withLock { state in
            guard var waiter = state.waiters[batch] else { return nil }
            switch outcome {
            case .stored: waiter.tally.stored += records
            case .duplicate: waiter.tally.duplicates += records
            case .failed(let reason):
                waiter.tally.failures.append(reason)
                waiter.tally.unacknowledged += records
            }
            waiter.remaining -= 1
            if waiter.remaining <= 0, let continuation = waiter.continuation {
                state.waiters[batch] = nil
                return (continuation, waiter.tally)
            }
            state.waiters[batch] = waiter
            return nil
        }
        if let (continuation, tally) = finished { continuation.resume(returning: tally) }
    }

    /// Waits until every message of the batch is settled.
    func wait(_ batch: UInt64) async -> Tally {
        await withCheckedContinuation { continuation in
            let done: Tally? = state.withLock { state in
                guard var waiter = state.waiters[batch] else { return Tally() }
                if waiter.remaining <= 0 {
                    state.waiters[batch] = nil
                    return waiter.tally
                }
                waiter.continuation = continuation
                state.waiters[batch] = waiter
                return nil
            }
            if let done { continuation.resume(returning: done) }
        }
    }
}
