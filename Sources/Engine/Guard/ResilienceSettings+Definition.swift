import Connectors
import Resilience
import TributaryCore

extension ResilienceSettings {
    /// The settings a Sources.d file gives, over the built-in defaults for that source.
    public init(definition: SourceDefinition?, source: SourceID) {
        self = ResilienceDefaults.settings(for: source)
        guard let definition else { return }
        if let limit = definition.rateLimit { rateLimit = .init(capacity: limit.capacity, refillPerSecond: limit.refillPerSecond) }
        let b = definition.breaker
        if let v = b.failureThreshold { breaker.failureThreshold = v }
        if let v = b.windowSize { breaker.windowSize = v }
        if let v = b.minimumCalls { breaker.minimumCalls = v }
        if let v = b.failureRate { breaker.failureRateThreshold = v }
        if let v = b.openDuration { breaker.openDuration = v }
        if let v = b.halfOpenProbes { breaker.halfOpenProbes = v }
        if let v = b.slowCall { breaker.slowCallThreshold = v }
        breaker.minimumCalls = min(breaker.minimumCalls, breaker.windowSize)
        let r = definition.retry
        let base = r.base ?? retry.backoff.base
        let cap = max(base, r.cap ?? retry.backoff.cap)
        let jitter = r.jitter.flatMap(Backoff.Jitter.init(rawValue:)) ?? retry.backoff.jitter
        retry = RetryPolicy(
            maxAttempts: r.maxAttempts ?? retry.maxAttempts, backoff: Backoff(base: base, cap: cap, jitter: jitter),
            maxRetryAfter: r.maxRetryAfter ?? retry.maxRetryAfter)
        if let v = r.budgetRatio { retryBudgetRatio = v }
        if let v = r.budgetFloorPerSecond { retryBudgetFloorPerSecond = v }
        if let v = definition.maxConcurrent { maxConcurrent = v }
        if let v = definition.dailyQuota { dailyQuota = v }
    }

    /// What one call costs: the file's endpoint weight, else the built-in estimate.
    public static func cost(of call: EndpointCall, source: SourceID, definition: SourceDefinition?) -> Double {
        if let weight = definition?.endpointWeights[call.endpoint] { return weight }
        return ResilienceDefaults.cost(of: call.endpoint, source: source, symbolCount: call.symbols.count)
    }
}
