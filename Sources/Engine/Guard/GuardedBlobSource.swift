import Pipeline
import Resilience
import ServiceLifecycle
import TributaryCore

/// A ``BlobSource`` behind a ``SourceGuard``: each listing page and each ranged read is one
/// guarded call — admitted by the rate limiter and the breaker, retried with jittered backoff
/// when the failure is transient (a 5xx, a broken connection), and paused for the server's
/// Retry-After when it throttles (`SlowDown`, 503, 429) — exactly as a REST source's polls.
/// Failures that another attempt cannot fix (no such bucket, access denied, expired token,
/// the object changed) end the call at once with their typed ``BlobError``.
public struct GuardedBlobSource<C: Clock>: BlobSource where C.Duration == Duration, C.Instant: Sendable {
    public let inner: any BlobSource
    public let guardian: SourceGuard<C>
    private let clock: C

    public init(_ inner: any BlobSource, guardian: SourceGuard<C>, clock: C) {
        self.inner = inner
        self.guardian = guardian
        self.clock = clock
    }

    public var location: String { inner.location }

    public var delimiter: String? { inner.delimiter }

    public func list(startAfter: String?, continuation: String?) async throws -> BlobPage {
        try await guarded { try await inner.list(startAfter: startAfter, continuation: continuation) }
    }

    public func read(_ object: BlobObject, range: Range<Int64>) async throws -> [UInt8] {
        try await guarded { try await inner.read(object, range: range) }
    }

    public func localPath(of object: BlobObject) -> String? { inner.localPath(of: object) }

    /// How a blob failure counts for the breaker and the retry policy.
    static func outcome(_ error: any Error) -> CallOutcome {
        guard let error = error as? BlobError else { return CallOutcome.classify(error) }
        if error.code == .throttled { return .throttled(status: 503, quotaExhausted: false) }
        return .failure(countsAgainstBreaker: error.countsAgainstBreaker, retryable: error.isRetryable)
    }

    private func guarded<T: Sendable>(_ attempt: () async throws -> T) async throws -> T {
        var policy = guardian.settings.retry
        var generator = SystemRandomNumberGenerator()
        guardian.recordRequest()
        var number = 1
        while true {
            let permit = try await guardian.waitForAdmission(cost: 1, clock: clock)
            let started = clock.now
            do {
                let value = try await attempt()
                guardian.complete(permit, outcome: .success)
                guardian.metrics.request(outcome: .success, error: nil, duration: started.duration(to: clock.now))
                return value
            } catch {
                let outcome = Self.outcome(error)
                let retryAfter = (error as? BlobError)?.retryAfterSeconds.flatMap { $0.isFinite && $0 >= 0 && $0 < 86_400 ? Duration.seconds($0) : nil }
                guardian.complete(
                    permit, outcome: error is CancellationError ? .ignored : outcome, signals: ThrottleSignals(retryAfter: retryAfter), error: "\(error)")
                guardian.metrics.request(outcome: outcome, error: error, duration: started.duration(to: clock.now))
                if error is CancellationError { throw error }
                let decision = policy.decide(attempt: number, retryable: outcome.isRetryable, retryAfter: retryAfter, using: &generator)
                guard case .retry(let delay) = decision, !Task.isShuttingDownGracefully, guardian.tryRetry() else { throw error }
                try await SourceGuard<C>.sleepUnlessShuttingDown { try await clock.sleep(for: delay) }
                number += 1
            }
        }
    }
}
