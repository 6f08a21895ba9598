/// When to try a failed call again, and how long to wait first.
///
/// Retrying helps only when the failure is transient: a refused or reset connection, a
/// timeout, 429, 500/502/503/504. A 400, 401, 403, 404 or 451 will fail the same way every
/// time, and a body that does not decode will not decode better on the second try; retrying
/// those only burns the source's rate limit. An upstream's Retry-After overrides the backoff
/// (up to `maxRetryAfter`; longer than that, the call is given up and reported, rather than
/// holding a worker for an hour).
public struct RetryPolicy: Sendable, Hashable {
    /// Total attempts, the first included.
    public var maxAttempts: Int = 4
    public var backoff = Backoff(base: .milliseconds(200), cap: .seconds(10), jitter: .full)
    /// The longest Retry-After honoured by waiting; beyond it the call fails as throttled.
    public var maxRetryAfter: Duration = .seconds(300)

    public init() {}

    public init(maxAttempts: Int, backoff: Backoff, maxRetryAfter: Duration = .seconds(300)) {
        precondition(maxAttempts >= 1, "a retry policy allows at least one attempt")
        self.maxAttempts = maxAttempts
        self.backoff = backoff
        self.maxRetryAfter = maxRetryAfter
    }

    /// HTTP statuses worth another attempt.
    public static let retryableStatuses: Set<Int> = [408, 425, 429, 500, 502, 503, 504]
    /// HTTP statuses that say "stop sending for a while" rather than "this request failed".
    public static let throttlingStatuses: Set<Int> = [418, 429]

    public static func isRetryable(status: Int) -> Bool { retryableStatuses.contains(status) }

    /// What to do after attempt number `attempt` (1-based) failed.
    public enum Decision: Sendable, Hashable {
        /// Wait this long, then try again.
        case retry(after: Duration)
        /// Give up and report the failure.
        case giveUp(Reason)
    }

    public enum Reason: String, Sendable, Hashable {
        case notRetryable = "not retryable"
        case attemptsExhausted = "attempts exhausted"
        case retryAfterTooLong = "Retry-After beyond the maximum"
        case budgetExhausted = "retry budget exhausted"
    }

    /// Decides after a failure. `retryAfter` is the upstream's own instruction, if it gave one.
    public mutating func decide(
        attempt: Int, retryable: Bool, retryAfter: Duration?, using generator: inout some RandomNumberGenerator
    ) -> Decision {
        guard retryable else { return .giveUp(.notRetryable) }
        guard attempt < maxAttempts else { return .giveUp(.attemptsExhausted) }
        if let retryAfter {
            guard retryAfter <= maxRetryAfter else { return .giveUp(.retryAfterTooLong) }
            // Never earlier than asked; the backoff still applies if it is longer.
            return .retry(after: max(retryAfter, backoff.delay(attempt: attempt - 1, using: &generator)))
        }
        return .retry(after: backoff.delay(attempt: attempt - 1, using: &generator))
    }
}
