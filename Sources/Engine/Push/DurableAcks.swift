import Synchronization
import TributaryCore

/// Lets a push request with `?ack=durable` wait until every one of its records is committed.
///
/// The sink reports each committed batch (``settled(_:)``); records carry their request's id in
/// provenance, so a request's count goes down as its records land, in whatever batches the
/// group commit made. A record that could only be spilled fails the wait: the caller gets 503,
/// never a 200 for data that is not in the store.
public final class DurableAcks: Sendable {
    public enum Outcome: Sendable, Equatable { case committed, failed }

    private struct Waiter {
        var remaining: Int
        var failed = false
        var continuation: CheckedContinuation<Outcome, Never>?
    }

    private let waiters = Mutex<[String: Waiter]>([:])

    public init() {}

    /// Registers a request before its records enter the buffer.
    public func expect(requestID: String, count: Int) {
        waiters.withLock { $0[requestID] = Waiter(remaining: count) }
    }

    /// Forgets a request whose records never entered (refused).
    public func cancel(requestID: String) {
        let continuation = waiters.withLock { $0.removeValue(forKey: requestID)?.continuation }
        continuation?.resume(returning: .failed)
    }

    /// Waits until the request's records are all committed (or one failed).
    public func wait(requestID: String) async -> Outcome {
        await withCheckedContinuation { continuation in
            let ready = waiters.withLock { all -> Outcome? in
                guard var waiter = all[requestID] else { return .failed }
                if waiter.remaining <= 0 || waiter.failed {
                    all[requestID] = nil
                    return waiter.failed ? .failed : .committed
                }
                waiter.continuation = continuation
                all[requestID] = waiter
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    /// A batch reached the store (stored, duplicate or dead-lettered): durable.
    public func settled(_ batch: [Envelope]) { update(batch, failed: false) }

    /// A batch could not be stored (spilled or lost).
    public func failed(_ batch: [Envelope]) { update(batch, failed: true) }

    private func update(_ batch: [Envelope], failed: Bool) {
        var resume: [(CheckedContinuation<Outcome, Never>, Outcome)] = []
        waiters.withLock { all in
            guard !all.isEmpty else { return }
            for envelope in batch {
                let id = envelope.provenance.requestID
                guard var waiter = all[id] else { continue }
                waiter.remaining -= 1
                if failed { waiter.failed = true }
                if waiter.remaining <= 0 || waiter.failed, let continuation = waiter.continuation {
                    all[id] = nil
                    resume.append((continuation, waiter.failed ? .failed : .committed))
                } else {
                    all[id] = waiter
                }
            }
        }
        for (continuation, outcome) in resume { continuation.resume(returning: outcome) }
    }
}
