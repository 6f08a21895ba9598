/// A per-source circuit breaker: stops calling an upstream that keeps failing, then probes it.
///
/// A pure state machine: it is told the time, it does no I/O, and every event returns what
/// changed, so the owner can log and count transitions and a test can drive it on a virtual
/// clock for hundreds of thousands of steps.
///
/// States and transitions:
/// - **closed** — calls pass. Opens after `failureThreshold` consecutive failures, or when
///   the failure rate over the last `windowSize` calls reaches `failureRateThreshold` (once at
///   least `minimumCalls` are in the window). A call slower than `slowCallThreshold` (if set)
///   counts as a failure.
/// - **open** — every call is rejected at once with the time it may be retried; no call
///   reaches the upstream. After `openDuration` (or an upstream's longer Retry-After) the next
///   `acquire` moves to half-open.
/// - **halfOpen** — up to `halfOpenProbes` calls pass. Any failure re-opens; when all probes
///   have succeeded the breaker closes with a fresh window.
public struct CircuitBreaker<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration, Instant: Sendable {
    public typealias Configuration = CircuitBreakerConfiguration

    /// The breaker's state, as reported in status and metrics.
    public enum State: Sendable, Hashable {
        case closed
        case open(until: Instant)
        case halfOpen
    }

    /// How a call went, as far as the breaker is concerned.
    public enum Outcome: Sendable, Hashable {
        case success
        case failure
        /// Not evidence about the upstream's health (a 404, a cancelled call): not counted.
        case ignored
    }

    /// What `acquire` decided.
    public enum Decision: Sendable, Hashable {
        case permitted
        /// Rejected without calling the upstream; it may be tried again at `retryAt`.
        case rejected(retryAt: Instant)
    }

    /// A change of state, for logs and metrics.
    public struct Transition: Sendable, Hashable {
        public let from: State
        public let to: State
    }

    public let configuration: Configuration
    public private(set) var state: State = .closed
    /// Outcomes of the most recent closed-state calls (true = failure), oldest first.
    private var window: [Bool] = []
    private var windowStart = 0
    private var consecutiveFailures = 0
    private var probesIssued = 0
    private var probesSucceeded = 0

    public init(configuration: Configuration = Configuration()) {
        precondition(configuration.problems.isEmpty, "invalid breaker configuration: \(configuration.problems.joined(separator: "; "))")
        self.configuration = configuration
    }

    /// Asks to make one call at `now`.
    public mutating func acquire(now: Instant) -> (Decision, Transition?) {
        switch state {
        case .closed:
            return (.permitted, nil)
        case .open(let until):
            guard now >= until else { return (.rejected(retryAt: until), nil) }
            let transition = move(to: .halfOpen)
            probesIssued = 1
            return (.permitted, transition)
        case .halfOpen:
            guard probesIssued < configuration.halfOpenProbes else {
                // Probes are out; the others wait for their verdict. Check back shortly.
                return (.rejected(retryAt: now.advanced(by: .milliseconds(100))), nil)
            }
            probesIssued += 1
            return (.permitted, nil)
        }
    }

    /// Reports the end of a permitted call.
    public mutating func record(_ outcome: Outcome, duration: Duration = .zero, now: Instant) -> Transition? {
        var failed: Bool
        switch outcome {
        case .ignored:
            if case .halfOpen = state { probesIssued = max(0, probesIssued - 1) }
            return nil
        case .success: failed = false
        case .failure: failed = true
        }
        if let slow = configuration.slowCallThreshold, duration > slow { failed = true }
        switch state {
        case .closed:
            push(failed)
            consecutiveFailures = failed ? consecutiveFailures + 1 : 0
            if consecutiveFailures >= configuration.failureThreshold || failureRateExceeded {
                return move(to: .open(until: now.advanced(by: configuration.openDuration)))
            }
            return nil
        case .halfOpen:
            if failed { return move(to: .open(until: now.advanced(by: configuration.openDuration))) }
            probesSucceeded += 1
            return probesSucceeded >= configuration.halfOpenProbes ? move(to: .closed) : nil
        case .open:
            // A call permitted before the breaker opened finished late; it changes nothing.
            return nil
        }
    }

    /// The upstream said "not before `until`" (a 429 or 418 with Retry-After, a quota reset):
    /// open now, for at least that long.
    public mutating func openUntil(_ until: Instant, now: Instant) -> Transition? {
        let target = max(until, now.advanced(by: configuration.openDuration))
        if case .open(let current) = state, current >= target { return nil }
        if case .open = state {
            state = .open(until: target)
            return nil
        }
        return move(to: .open(until: target))
    }

    /// Failures among the calls in the window, and the window's size, for status pages.
    public var windowCounts: (failures: Int, calls: Int) {
        (window.lazy.filter { $0 }.count, window.count)
    }

    private var failureRateExceeded: Bool {
        guard window.count >= configuration.minimumCalls else { return false }
        let (failures, calls) = windowCounts
        return Double(failures) / Double(calls) >= configuration.failureRateThreshold
    }

    private mutating func push(_ failed: Bool) {
        if window.count < configuration.windowSize {
            window.append(failed)
        } else {
            window[windowStart] = failed
            windowStart = (windowStart + 1) % configuration.windowSize
        }
    }

    private mutating func move(to next: State) -> Transition {
        let transition = Transition(from: state, to: next)
        state = next
        switch next {
        case .closed:
            window.removeAll(keepingCapacity: true)
            windowStart = 0
            consecutiveFailures = 0
        case .halfOpen, .open:
            probesIssued = 0
            probesSucceeded = 0
        }
        return transition
    }
}

/// The settings of a ``CircuitBreaker`` (Sources.d `breaker:`), independent of its clock.
public struct CircuitBreakerConfiguration: Sendable, Hashable {
    public var failureThreshold: Int = 5
    public var windowSize: Int = 20
    public var minimumCalls: Int = 10
    public var failureRateThreshold: Double = 0.5
    public var openDuration: Duration = .seconds(60)
    public var halfOpenProbes: Int = 1
    public var slowCallThreshold: Duration?

    public init() {}

    /// Problems with the values, one message each (empty when valid).
    public var problems: [String] {
        var found: [String] = []
        if failureThreshold < 1 { found.append("failure_threshold must be at least 1, got \(failureThreshold)") }
        if windowSize < 1 { found.append("window_size must be at least 1, got \(windowSize)") }
        if !(1...max(1, windowSize)).contains(minimumCalls) {
            found.append("minimum_calls must be 1…window_size (\(windowSize)), got \(minimumCalls)")
        }
        if !(failureRateThreshold > 0 && failureRateThreshold <= 1) {
            found.append("failure_rate_threshold must be in (0, 1], got \(failureRateThreshold)")
        }
        if openDuration <= .zero { found.append("open_seconds must be positive") }
        if halfOpenProbes < 1 { found.append("half_open_probes must be at least 1, got \(halfOpenProbes)") }
        return found
    }
}
