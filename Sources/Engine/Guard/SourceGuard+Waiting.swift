import Resilience
import ServiceLifecycle
import TributaryCore

extension SourceGuard {
    /// Waits for admission within the source's `maxAdmissionWait` (its rate limit refilling,
    /// or an upstream's pause ending), or throws why not: the breaker is open, or the wait
    /// would be longer than a call may wait. Every caller of a guarded upstream — a REST poll,
    /// a bucket listing, an object read — admits its attempts this one way.
    public func waitForAdmission(cost: Double, clock: C) async throws -> Permit {
        let deadline = clock.now.advanced(by: settings.maxAdmissionWait)
        while true {
            switch admit(cost: cost) {
            case .go(let permit):
                return permit
            case .rejected(let error):
                throw error
            case .wait(let until, let reason):
                guard until <= deadline else {
                    let wait = clock.now.duration(to: until)
                    throw ResilienceError(
                        reason.errorCode, source: source,
                        retryAt: Double(UTCTimestamp.now().nanosecondsSinceEpoch + wait.nanosecondsCount) / 1e9,
                        "\(reason); next call allowed in \(HoldReason.seconds(wait)), longer than the \(HoldReason.seconds(settings.maxAdmissionWait)) a call may wait"
                    )
                }
                try await Self.sleepUnlessShuttingDown { try await clock.sleep(until: until, tolerance: nil) }
            }
        }
    }

    /// Waiting for admission or a retry is not a call in flight: a graceful shutdown ends it
    /// (as a cancellation) rather than holding the drain for a backoff or a Retry-After.
    static func sleepUnlessShuttingDown(_ sleep: @escaping @Sendable () async throws -> Void) async throws {
        try await cancelWhenGracefulShutdown { try await sleep() }
    }
}
