import Connectors
import Resilience

/// One source's resilience settings (its Sources.d `breaker:`, `retry:`, `rate_limit:` …).
public struct ResilienceSettings: Sendable, Hashable {
    public var breaker = CircuitBreakerConfiguration()
    public var retry = RetryPolicy()
    /// Token bucket in the provider's units; nil means no client-side limit.
    public var rateLimit: RateLimit?
    /// Requests of this source in flight at once.
    public var maxConcurrent = 8
    /// Retries allowed as a fraction of requests, and the floor per second.
    public var retryBudgetRatio = 0.1
    public var retryBudgetFloorPerSecond = 3.0
    /// Calls allowed per UTC day, if the provider has such a quota.
    public var dailyQuota: Int?
    /// The longest a call waits for the limiter or a pause before it fails instead.
    public var maxAdmissionWait: Duration = .seconds(30)
    /// Pause after a 429 that carries no Retry-After.
    public var throttlePause: Duration = .seconds(30)
    /// Pause after a 418 (Binance's IP ban) that carries no Retry-After.
    public var banPause: Duration = .seconds(120)

    /// The same shape as a Sources.d `rate_limit:`; one type serves both.
    public typealias RateLimit = SourceDefinition.RateLimit

    public init() {}

    /// Problems with the values, each naming the key and the allowed range.
    public var problems: [String] {
        var found = breaker.problems.map { "breaker." + $0 }
        if retry.maxAttempts < 1 { found.append("retry.max_attempts must be at least 1, got \(retry.maxAttempts)") }
        if let rateLimit, !(rateLimit.capacity > 0 && rateLimit.refillPerSecond > 0) {
            found.append("rate_limit.capacity and rate_limit.refill_per_second must be positive")
        }
        if maxConcurrent < 1 { found.append("max_concurrent must be at least 1, got \(maxConcurrent)") }
        if !(0...1).contains(retryBudgetRatio) { found.append("retry.budget_ratio must be 0…1, got \(retryBudgetRatio)") }
        if let dailyQuota, dailyQuota < 1 { found.append("daily_quota must be at least 1, got \(dailyQuota)") }
        return found
    }
}
