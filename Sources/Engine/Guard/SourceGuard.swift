import Connectors
import Resilience
import Synchronization
import TributaryCore

/// One source's resilience state: breaker, rate limiter, bulkhead, retry budget, daily quota
/// and throttling pauses, behind one lock.
///
/// The worker asks ``admit(cost:)`` before each attempt and reports the attempt's end with
/// ``complete(_:outcome:signals:)``. Each source has its own guard, so one throttling or dead
/// upstream can only ever pause, open or exhaust its own. The time comes from an injected
/// clock (a `ManualClock` in tests); wall time is read only for the daily quota and status.
public final class SourceGuard<C: Clock>: Sendable where C.Duration == Duration, C.Instant: Sendable {
    /// A granted attempt; give it back through `complete`.
    public struct Permit: Sendable {
        let cost: Double
        let startedAt: C.Instant
    }

    public enum Admission: Sendable {
        case go(Permit)
        /// Try again at `until` (the limiter refills, or the upstream's pause ends).
        case wait(until: C.Instant, reason: String)
        case rejected(ResilienceError)
    }

    private struct State: @unchecked Sendable {
        var breaker: CircuitBreaker<C.Instant>
        var bucket: TokenBucket<C.Instant>?
        var bulkhead: Bulkhead
        var budget: RetryBudget<C.Instant>
        var quota: DailyQuota?
        var pausedUntil: C.Instant?
        var pauseReason: String?
        var lastError: String?
        var retries = 0
        var throttles = 0
        var rejections = 0
    }

    public let source: String
    public let settings: ResilienceSettings
    private let clock: C
    private let wallNow: @Sendable () -> UTCTimestamp
    /// Where this source's resilience and request metrics go.
    public let metrics: ResilienceMetrics
    private let state: Mutex<State>

    public init(
        source: String, settings: ResilienceSettings, clock: C, wallNow: @escaping @Sendable () -> UTCTimestamp = { .now() },
        metrics: ResilienceMetrics? = nil
    ) {
        precondition(settings.problems.isEmpty, "invalid resilience settings for \(source): \(settings.problems.joined(separator: "; "))")
        self.source = source
        self.settings = settings
        self.clock = clock
        self.wallNow = wallNow
        self.metrics = metrics ?? ResilienceMetrics(source: source)
        self.metrics.register()
        state = Mutex(
            State(
                breaker: CircuitBreaker(configuration: settings.breaker),
                bucket: settings.rateLimit.map { TokenBucket(capacity: $0.capacity, refillPerSecond: $0.refillPerSecond) },
                bulkhead: Bulkhead(maxConcurrent: settings.maxConcurrent),
                budget: RetryBudget(ratio: settings.retryBudgetRatio, minimumPerSecond: settings.retryBudgetFloorPerSecond),
                quota: settings.dailyQuota.map { DailyQuota(limit: $0) }
            ))
    }

    /// Limits this source's rate to `share` of its budget (the part of its poll jobs this
    /// instance holds when several share them); 1 is the whole budget.
    public func setRateShare(_ share: Double) {
        let now = clock.now
        state.withLock { $0.bucket?.setShare(share, now: now) }
    }

    public var now: C.Instant { clock.now }

    /// Asks to send one attempt costing `cost` units of the source's rate limit.
    public func admit(cost: Double = 1) -> Admission {
        let now = clock.now
        let wall = wallNow()
        var transition: CircuitBreaker<C.Instant>.Transition?
        let admission = state.withLock { state -> Admission in
            if let until = state.pausedUntil {
                if now < until { return .wait(until: until, reason: state.pauseReason ?? "paused by the upstream") }
                state.pausedUntil = nil
                state.pauseReason = nil
            }
            let (decision, change) = state.breaker.acquire(now: now)
            transition = change
            if case .rejected(let retryAt) = decision {
                state.rejections += 1
                return .rejected(
                    ResilienceError(
                        .circuitOpen, source: source, retryAt: wallSeconds(retryAt, now: now, wall: wall),
                        "circuit open after repeated failures (\(state.lastError ?? "no detail")); next probe in \(Self.seconds(now.duration(to: retryAt)))"
                    ))
            }
            guard state.bulkhead.tryAcquire() else {
                _ = state.breaker.record(.ignored, now: now)
                state.rejections += 1
                return .rejected(ResilienceError(.bulkheadFull, source: source, "all \(settings.maxConcurrent) in-flight permits are taken"))
            }
            if state.bucket != nil {
                switch state.bucket!.acquire(cost: cost, now: now) {
                case .admitted: break
                case .wait(let retryAt):
                    state.bulkhead.release()
                    _ = state.breaker.record(.ignored, now: now)
                    return .wait(until: retryAt, reason: "rate limit")
                case .tooLarge:
                    state.bulkhead.release()
                    _ = state.breaker.record(.ignored, now: now)
                    return .rejected(
                        ResilienceError(.costTooLarge, source: source, "a call costing \(cost) exceeds the limiter's capacity \(state.bucket!.capacity)"))
                }
            }
            if state.quota != nil, !state.quota!.tryTake(unixSeconds: wall.millisecondsSinceEpoch / 1000) {
                state.bucket?.refund(cost)
                state.bulkhead.release()
                _ = state.breaker.record(.ignored, now: now)
                let reset = pauseUntilQuotaReset(&state, now: now, wall: wall)
                return .wait(until: reset, reason: state.pauseReason ?? "daily quota spent")
            }
            return .go(Permit(cost: cost, startedAt: now))
        }
        report(transition)
        switch admission {
        case .rejected(let error):
            metrics.rejection(error.code == .circuitOpen ? "breaker" : error.code == .bulkheadFull ? "bulkhead" : "limiter")
        case .wait(_, let reason):
            metrics.rejection(reason == "rate limit" ? "limiter" : reason.contains("quota") ? "quota" : "paused")
        case .go:
            break
        }
        return admission
    }

    /// Reports how an admitted attempt ended, with what its response said about limits.
    public func complete(_ permit: Permit, outcome: CallOutcome, signals: ThrottleSignals = ThrottleSignals(), error: String? = nil) {
        let now = clock.now
        let wall = wallNow()
        let duration = permit.startedAt.duration(to: now)
        var transitions: [CircuitBreaker<C.Instant>.Transition] = []
        state.withLock { state in
            state.bulkhead.release()
            if let error { state.lastError = error }
            if let capacity = state.bucket?.capacity {
                if let used = signals.used {
                    state.bucket!.observeUpstreamUsage(used: used, limit: capacity, now: now)
                } else if let remaining = signals.remaining {
                    state.bucket!.observeUpstreamUsage(used: max(0, capacity - remaining), limit: capacity, now: now)
                }
            }
            switch outcome {
            case .success:
                if let t = state.breaker.record(.success, duration: duration, now: now) { transitions.append(t) }
            case .failure(let counts, _):
                if let t = state.breaker.record(counts ? .failure : .ignored, duration: duration, now: now) { transitions.append(t) }
                if case .open = state.breaker.state, let retryAfter = signals.retryAfter,
                    let t = state.breaker.openUntil(now.advanced(by: retryAfter), now: now)
                {
                    transitions.append(t)
                }
            case .throttled(let status, let quotaExhausted):
                _ = state.breaker.record(.ignored, now: now)
                state.throttles += 1
                state.bucket?.drain(now: now)
                if quotaExhausted {
                    state.quota?.markExhausted(unixSeconds: wall.millisecondsSinceEpoch / 1000)
                    _ = pauseUntilQuotaReset(&state, now: now, wall: wall)
                } else {
                    let pause = signals.retryAfter ?? (status == 418 ? settings.banPause : settings.throttlePause)
                    let until = now.advanced(by: pause)
                    if state.pausedUntil.map({ until > $0 }) ?? true {
                        state.pausedUntil = until
                        state.pauseReason =
                            status == 418
                            ? "IP banned by the upstream (HTTP 418) until Retry-After"
                            : "throttled by the upstream (HTTP \(status)), Retry-After \(Self.seconds(pause))"
                    }
                }
            case .ignored:
                _ = state.breaker.record(.ignored, now: now)
            }
        }
        if case .throttled(let status, _) = outcome { metrics.throttle(status: status) }
        for transition in transitions { report(transition) }
    }

    /// A first attempt is about to go out (counts toward the retry budget's base).
    public func recordRequest() {
        let now = clock.now
        state.withLock { $0.budget.recordRequest(now: now) }
    }

    /// Whether one more retry fits the source's budget; counts it if so.
    public func tryRetry() -> Bool {
        let now = clock.now
        let allowed = state.withLock { state -> Bool in
            let ok = state.budget.tryRetry(now: now)
            if ok { state.retries += 1 }
            return ok
        }
        if allowed { metrics.retry() } else { metrics.rejection("budget") }
        return allowed
    }

    public var status: SourceStatus {
        let now = clock.now
        let wall = wallNow()
        return state.withLock { state in
            var name: String
            var next: C.Instant?
            switch state.breaker.state {
            case .closed: name = "closed"
            case .halfOpen: name = "half-open"
            case .open(let until) where now >= until:
                // The open time is over; the next call is the half-open probe.
                name = "half-open"
            case .open(let until):
                name = "open"
                next = until
            }
            var reason = state.lastError.map { "last error: \($0)" }
            if let until = state.pausedUntil, now < until {
                name = "paused"
                next = max(next ?? until, until)
                reason = state.pauseReason
            }
            let counts = state.breaker.windowCounts
            return SourceStatus(
                state: name,
                nextAllowedAt: next.map { UTCTimestamp(nanosecondsSinceEpoch: wall.nanosecondsSinceEpoch + now.duration(to: $0).nanosecondsCount) },
                reason: name == "closed" ? nil : reason,
                inFlight: state.bulkhead.inFlight, windowFailures: counts.failures, windowCalls: counts.calls,
                tokens: state.bucket?.tokens, quotaRemaining: state.quota?.remaining(at: wall.millisecondsSinceEpoch / 1000),
                retries: state.retries, throttles: state.throttles, rejections: state.rejections
            )
        }
    }

    /// Holds this source's calls until `until` (wall time): what the previous holder of one of
    /// its poll jobs was waiting out (a breaker open, a throttling pause), adopted with the job
    /// so the new holder does not hammer an upstream that is down or throttling. At most a day.
    public func adoptPause(until: UTCTimestamp, reason: String) {
        let now = clock.now
        let wall = wallNow()
        let (distance, overflow) = until.nanosecondsSinceEpoch.subtractingReportingOverflow(wall.nanosecondsSinceEpoch)
        guard !overflow, distance > 0 else { return }
        let adopted = now.advanced(by: .nanoseconds(min(distance, 86_400 * 1_000_000_000)))
        state.withLock { state in
            guard state.pausedUntil.map({ adopted > $0 }) ?? true else { return }
            state.pausedUntil = adopted
            state.pauseReason = "taken over from an instance that was holding off: \(reason)"
        }
    }

    // MARK: Helpers

    /// Pauses the source until the next UTC midnight, when daily allowances reset.
    private func pauseUntilQuotaReset(_ state: inout State, now: C.Instant, wall: UTCTimestamp) -> C.Instant {
        let seconds = wall.millisecondsSinceEpoch / 1000
        let resetAt = DailyQuota.nextUTCMidnight(after: seconds)
        let until = now.advanced(by: .seconds(resetAt - seconds))
        state.pausedUntil = until
        let allowance = state.quota.map { "daily quota of \($0.limit) calls" } ?? "the provider's daily allowance"
        state.pauseReason = "\(allowance) spent; resumes at \((UTCTimestamp(secondsSinceEpoch: resetAt) ?? wall).rfc3339)"
        return until
    }

    private func wallSeconds(_ instant: C.Instant, now: C.Instant, wall: UTCTimestamp) -> Double {
        Double(wall.nanosecondsSinceEpoch + now.duration(to: instant).nanosecondsCount) / 1e9
    }

    private func report(_ transition: CircuitBreaker<C.Instant>.Transition?) {
        guard let transition else { return }
        let (name, value) =
            switch transition.to {
            case .closed: ("closed", 0)
            case .halfOpen: ("half-open", 1)
            case .open: ("open", 2)
            }
        metrics.breakerTransition(to: name)
        metrics.breakerState(value)
    }

    static func seconds(_ duration: Duration) -> String {
        let s = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        return s < 10 ? "\((s * 10).rounded() / 10) s" : "\(Int(s.rounded())) s"
    }
}
