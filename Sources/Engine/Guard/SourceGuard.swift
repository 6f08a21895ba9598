import Connectors
import Resilience
import Synchronization
import TributaryCore

/// One source's resilience — breaker, rate limiter, bulkhead, retry budget, daily quota and
/// throttling pauses — shared by every call to it.
///
/// The worker asks ``admit(cost:)`` before each attempt and reports the attempt's end with
/// ``complete(_:outcome:signals:error:)``. Each source has its own guard, so one throttling or
/// dead upstream can only ever pause, open or exhaust its own. The rules are the pure
/// ``SourceGuardState``; this class holds it behind one lock, reads the injected clock (a
/// `ManualClock` in tests; wall time only for the daily quota and status) and turns the state's
/// typed decisions and breaker transitions into metrics.
public final class SourceGuard<C: Clock>: Sendable where C.Duration == Duration, C.Instant: Sendable {
    /// A granted attempt; give it back through `complete`.
    public struct Permit: Sendable {
        let startedAt: C.Instant
    }

    public enum Admission: Sendable {
        case go(Permit)
        /// Try again at `until` (the limiter refills, or the upstream's pause ends).
        case wait(until: C.Instant, reason: HoldReason)
        case rejected(ResilienceError)
    }

    public let source: String
    public let settings: ResilienceSettings
    private let clock: C
    private let wallNow: @Sendable () -> UTCTimestamp
    /// Where this source's resilience and request metrics go.
    public let metrics: ResilienceMetrics
    private let state: Mutex<SourceGuardState<C.Instant>>

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
        state = Mutex(SourceGuardState(source: source, settings: settings))
    }

    /// Limits this source's rate to `share` of its budget (the part of its poll jobs this
    /// instance holds when several share them); 1 is the whole budget.
    public func setRateShare(_ share: Double) {
        let now = clock.now
        state.withLock { $0.setRateShare(share, now: now) }
    }

    public var now: C.Instant { clock.now }

    /// Asks to send one attempt costing `cost` units of the source's rate limit.
    public func admit(cost: Double = 1) -> Admission {
        let now = clock.now
        let wall = wallNow()
        let (decision, transition) = state.withLock { $0.admit(cost: cost, now: now, wall: wall) }
        report(transition)
        switch decision {
        case .go(let startedAt):
            return .go(Permit(startedAt: startedAt))
        case .wait(let until, let reason):
            metrics.rejection(reason.metricLabel)
            return .wait(until: until, reason: reason)
        case .rejected(let error):
            metrics.rejection(error.code == .circuitOpen ? "breaker" : error.code == .bulkheadFull ? "bulkhead" : "limiter")
            return .rejected(error)
        }
    }

    /// Reports how an admitted attempt ended, with what its response said about limits.
    public func complete(_ permit: Permit, outcome: CallOutcome, signals: ThrottleSignals = ThrottleSignals(), error: String? = nil) {
        let now = clock.now
        let wall = wallNow()
        let transitions = state.withLock {
            $0.complete(startedAt: permit.startedAt, outcome: outcome, signals: signals, error: error, now: now, wall: wall)
        }
        if case .throttled(let status, _) = outcome { metrics.throttle(status: status) }
        for transition in transitions { report(transition) }
    }

    /// A first attempt is about to go out (counts toward the retry budget's base).
    public func recordRequest() {
        let now = clock.now
        state.withLock { $0.recordRequest(now: now) }
    }

    /// Whether one more retry fits the source's budget; counts it if so.
    public func tryRetry() -> Bool {
        let now = clock.now
        let allowed = state.withLock { $0.tryRetry(now: now) }
        if allowed { metrics.retry() } else { metrics.rejection("budget") }
        return allowed
    }

    public var status: SourceStatus {
        let now = clock.now
        let wall = wallNow()
        return state.withLock { $0.status(now: now, wall: wall) }
    }

    /// Holds this source's calls until `until` (wall time): what the previous holder of one of
    /// its poll jobs was waiting out (a breaker open, a throttling pause), adopted with the job
    /// so the new holder does not hammer an upstream that is down or throttling. At most a day.
    public func adoptPause(until: UTCTimestamp, reason: String) {
        let now = clock.now
        let wall = wallNow()
        state.withLock { $0.adoptPause(until: until, reason: reason, now: now, wall: wall) }
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
}
