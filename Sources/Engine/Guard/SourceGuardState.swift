import Connectors
import Resilience
import TributaryCore

/// One source's resilience state as a value — breaker, rate limiter, bulkhead, retry budget,
/// daily quota and upstream pause — and the pure transitions between its states.
///
/// Every decision is a function of the state and the times passed in: it holds no lock, reads
/// no clock and emits no metric. ``SourceGuard`` owns one behind a mutex and turns the typed
/// decisions and breaker transitions it returns into metrics, so the rules can be driven and
/// checked step by step (a test hands it any instant it likes).
struct SourceGuardState<Instant: InstantProtocol & Sendable>: Sendable where Instant.Duration == Duration {
    typealias Transition = CircuitBreaker<Instant>.Transition

    /// What an attempt may do now.
    enum Decision: Sendable {
        case go(startedAt: Instant)
        case wait(until: Instant, reason: HoldReason)
        case rejected(ResilienceError)
    }

    /// Calls held back until `until`, and why.
    struct Pause: Sendable {
        var until: Instant
        var reason: HoldReason
    }

    let source: String
    let settings: ResilienceSettings
    private(set) var breaker: CircuitBreaker<Instant>
    private(set) var bucket: TokenBucket<Instant>?
    private(set) var bulkhead: Bulkhead
    private(set) var budget: RetryBudget<Instant>
    private(set) var quota: DailyQuota?
    private(set) var pause: Pause?
    private(set) var lastError: String?
    private(set) var retries = 0
    private(set) var throttles = 0
    private(set) var rejections = 0

    init(source: String, settings: ResilienceSettings) {
        self.source = source
        self.settings = settings
        breaker = CircuitBreaker(configuration: settings.breaker)
        bucket = settings.rateLimit.map { TokenBucket(capacity: $0.capacity, refillPerSecond: $0.refillPerSecond) }
        bulkhead = Bulkhead(maxConcurrent: settings.maxConcurrent)
        budget = RetryBudget(ratio: settings.retryBudgetRatio, minimumPerSecond: settings.retryBudgetFloorPerSecond)
        quota = settings.dailyQuota.map { DailyQuota(limit: $0) }
    }

    /// One attempt costing `cost` units of the rate limit asks to go out at `now` (`wall` is
    /// the UTC time, for the daily quota and the error's retry time).
    mutating func admit(cost: Double, now: Instant, wall: UTCTimestamp) -> (Decision, Transition?) {
        if let pause {
            if now < pause.until { return (.wait(until: pause.until, reason: pause.reason), nil) }
            self.pause = nil
        }
        let (decision, transition) = breaker.acquire(now: now)
        if case .rejected(let retryAt) = decision {
            rejections += 1
            let error = ResilienceError(
                .circuitOpen, source: source, retryAt: Self.wallSeconds(retryAt, now: now, wall: wall),
                "circuit open after repeated failures (\(lastError ?? "no detail")); next probe in \(HoldReason.seconds(now.duration(to: retryAt)))")
            return (.rejected(error), transition)
        }
        guard bulkhead.tryAcquire() else {
            _ = breaker.record(.ignored, now: now)
            rejections += 1
            return (.rejected(ResilienceError(.bulkheadFull, source: source, "all \(settings.maxConcurrent) in-flight permits are taken")), transition)
        }
        if var limiter = bucket {
            let verdict = limiter.acquire(cost: cost, now: now)
            bucket = limiter
            switch verdict {
            case .admitted:
                break
            case .wait(let retryAt):
                giveBack(now: now)
                return (.wait(until: retryAt, reason: .rateLimit), transition)
            case .tooLarge:
                giveBack(now: now)
                return (
                    .rejected(ResilienceError(.costTooLarge, source: source, "a call costing \(cost) exceeds the limiter's capacity \(limiter.capacity)")),
                    transition
                )
            }
        }
        if var allowance = quota {
            let taken = allowance.tryTake(unixSeconds: wall.millisecondsSinceEpoch / 1000)
            quota = allowance
            if !taken {
                bucket?.refund(cost)
                giveBack(now: now)
                let held = pauseUntilQuotaReset(now: now, wall: wall)
                return (.wait(until: held.until, reason: held.reason), transition)
            }
        }
        return (.go(startedAt: now), transition)
    }

    /// An admitted attempt ended at `now` with `outcome`, and its response said `signals`
    /// about the upstream's limits. Returns the breaker's transitions, in order.
    mutating func complete(
        startedAt: Instant, outcome: CallOutcome, signals: ThrottleSignals, error: String?, now: Instant, wall: UTCTimestamp
    ) -> [Transition] {
        var transitions: [Transition] = []
        bulkhead.release()
        if let error { lastError = error }
        if var limiter = bucket {
            if let used = signals.used {
                limiter.observeUpstreamUsage(used: used, limit: limiter.capacity, now: now)
            } else if let remaining = signals.remaining {
                limiter.observeUpstreamUsage(used: max(0, limiter.capacity - remaining), limit: limiter.capacity, now: now)
            }
            bucket = limiter
        }
        let duration = startedAt.duration(to: now)
        switch outcome {
        case .success:
            if let t = breaker.record(.success, duration: duration, now: now) { transitions.append(t) }
        case .failure(let counts, _):
            if let t = breaker.record(counts ? .failure : .ignored, duration: duration, now: now) { transitions.append(t) }
            if case .open = breaker.state, let retryAfter = signals.retryAfter, let t = breaker.openUntil(now.advanced(by: retryAfter), now: now) {
                transitions.append(t)
            }
        case .throttled(let status, let quotaExhausted):
            _ = breaker.record(.ignored, now: now)
            throttles += 1
            bucket?.drain(now: now)
            if quotaExhausted {
                quota?.markExhausted(unixSeconds: wall.millisecondsSinceEpoch / 1000)
                _ = pauseUntilQuotaReset(now: now, wall: wall)
            } else {
                let length = signals.retryAfter ?? (status == 418 ? settings.banPause : settings.throttlePause)
                hold(until: now.advanced(by: length), reason: status == 418 ? .banned : .throttled(status: status, pause: length))
            }
        case .ignored:
            _ = breaker.record(.ignored, now: now)
        }
        return transitions
    }

    mutating func recordRequest(now: Instant) { budget.recordRequest(now: now) }

    /// Whether one more retry fits the budget; counts it if so.
    mutating func tryRetry(now: Instant) -> Bool {
        let allowed = budget.tryRetry(now: now)
        if allowed { retries += 1 }
        return allowed
    }

    mutating func setRateShare(_ share: Double, now: Instant) { bucket?.setShare(share, now: now) }

    /// Holds calls until `until` (wall time) for a reason learnt from another instance; at most a
    /// day, and never shortening a longer pause.
    mutating func adoptPause(until: UTCTimestamp, reason: String, now: Instant, wall: UTCTimestamp) {
        let (distance, overflow) = until.nanosecondsSinceEpoch.subtractingReportingOverflow(wall.nanosecondsSinceEpoch)
        guard !overflow, distance > 0 else { return }
        hold(until: now.advanced(by: .nanoseconds(min(distance, 86_400 * 1_000_000_000))), reason: .adopted(reason))
    }

    /// The state as `/sources` shows it.
    func status(now: Instant, wall: UTCTimestamp) -> SourceStatus {
        var name: String
        var next: Instant?
        switch breaker.state {
        case .closed: name = "closed"
        case .halfOpen: name = "half-open"
        case .open(let until) where now >= until:
            // The open time is over; the next call is the half-open probe.
            name = "half-open"
        case .open(let until):
            name = "open"
            next = until
        }
        var reason = lastError.map { "last error: \($0)" }
        if let pause, now < pause.until {
            name = "paused"
            next = max(next ?? pause.until, pause.until)
            reason = pause.reason.description
        }
        let counts = breaker.windowCounts
        return SourceStatus(
            state: name,
            nextAllowedAt: next.map { UTCTimestamp(nanosecondsSinceEpoch: wall.nanosecondsSinceEpoch + now.duration(to: $0).nanosecondsCount) },
            reason: name == "closed" ? nil : reason,
            inFlight: bulkhead.inFlight, windowFailures: counts.failures, windowCalls: counts.calls,
            tokens: bucket?.tokens, quotaRemaining: quota?.remaining(at: wall.millisecondsSinceEpoch / 1000),
            retries: retries, throttles: throttles, rejections: rejections
        )
    }

    // MARK: Helpers

    /// An admitted slot handed back before the call went out: it neither failed nor succeeded.
    private mutating func giveBack(now: Instant) {
        bulkhead.release()
        _ = breaker.record(.ignored, now: now)
    }

    /// Pauses until `until` unless a longer pause is already on.
    private mutating func hold(until: Instant, reason: HoldReason) {
        if let pause, pause.until >= until { return }
        pause = Pause(until: until, reason: reason)
    }

    /// Pauses the source until the next UTC midnight, when daily allowances reset.
    private mutating func pauseUntilQuotaReset(now: Instant, wall: UTCTimestamp) -> Pause {
        let seconds = wall.millisecondsSinceEpoch / 1000
        let resetAt = DailyQuota.nextUTCMidnight(after: seconds)
        let held = Pause(
            until: now.advanced(by: .seconds(resetAt - seconds)),
            reason: .quotaSpent(limit: quota?.limit, resumesAt: UTCTimestamp(secondsSinceEpoch: resetAt) ?? wall))
        pause = held
        return held
    }

    private static func wallSeconds(_ instant: Instant, now: Instant, wall: UTCTimestamp) -> Double {
        Double(wall.nanosecondsSinceEpoch + now.duration(to: instant).nanosecondsCount) / 1e9
    }
}
