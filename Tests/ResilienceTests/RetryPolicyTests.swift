import Resilience
import Testing
import TributaryCore

@Suite struct RetryPolicyTests {
    func policy(_ attempts: Int = 3) -> RetryPolicy {
        RetryPolicy(maxAttempts: attempts, backoff: Backoff(base: .milliseconds(100), cap: .seconds(2), jitter: .none), maxRetryAfter: .seconds(60))
    }

    @Test func transientFailuresRetryWithBackoffUntilAttemptsRunOut() {
        var p = policy()
        var rng = SplitMix64(seed: 1)
        #expect(p.decide(attempt: 1, retryable: true, retryAfter: nil, using: &rng) == .retry(after: .milliseconds(100)))
        #expect(p.decide(attempt: 2, retryable: true, retryAfter: nil, using: &rng) == .retry(after: .milliseconds(200)))
        #expect(p.decide(attempt: 3, retryable: true, retryAfter: nil, using: &rng) == .giveUp(.attemptsExhausted))
    }

    @Test func permanentFailuresNeverRetry() {
        var p = policy()
        var rng = SplitMix64(seed: 1)
        #expect(p.decide(attempt: 1, retryable: false, retryAfter: .seconds(1), using: &rng) == .giveUp(.notRetryable))
        for status in [400, 401, 403, 404, 451] { #expect(!RetryPolicy.isRetryable(status: status)) }
        for status in [429, 500, 502, 503, 504] { #expect(RetryPolicy.isRetryable(status: status)) }
    }

    @Test func retryAfterIsHonouredButBounded() {
        var p = policy()
        var rng = SplitMix64(seed: 1)
        #expect(p.decide(attempt: 1, retryable: true, retryAfter: .seconds(2), using: &rng) == .retry(after: .seconds(2)))
        // Backoff longer than the hint: the longer one.
        #expect(p.decide(attempt: 1, retryable: true, retryAfter: .milliseconds(10), using: &rng) == .retry(after: .milliseconds(100)))
        #expect(p.decide(attempt: 1, retryable: true, retryAfter: .seconds(3_600), using: &rng) == .giveUp(.retryAfterTooLong))
    }
}
