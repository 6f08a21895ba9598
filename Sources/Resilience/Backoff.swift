import TributaryCore

/// Delays between retries: exponential growth up to a cap, with jitter.
///
/// Jitter spreads retries of many clients apart so a recovering upstream is not hit by a
/// synchronized wave (AWS Architecture Blog, "Exponential Backoff and Jitter"):
/// - `full`: uniform in [0, min(cap, base·2^attempt)] — least total work;
/// - `decorrelated`: min(cap, uniform(base, 3·previous)) — grows from the last delay;
/// - `none`: exactly min(cap, base·2^attempt), for tests and for upstreams that ask for it.
/// The random generator is passed in, so a seeded generator reproduces any sequence.
public struct Backoff: Sendable, Hashable {
    public enum Jitter: String, Sendable, Hashable, CaseIterable {
        case none, full, decorrelated
    }

    public var base: Duration
    public var cap: Duration
    public var jitter: Jitter
    /// The previous delay, which `decorrelated` grows from.
    private var previous: Duration

    public init(base: Duration = .milliseconds(200), cap: Duration = .seconds(10), jitter: Jitter = .full) {
        precondition(base > .zero && cap >= base, "backoff needs 0 < base ≤ cap")
        self.base = base
        self.cap = cap
        self.jitter = jitter
        self.previous = base
    }

    /// The delay before retry number `attempt` (0 for the first retry).
    public mutating func delay(attempt: Int, using generator: inout some RandomNumberGenerator) -> Duration {
        let ceiling = exponential(attempt)
        let delay: Duration
        switch jitter {
        case .none:
            delay = ceiling
        case .full:
            delay = Self.uniform(from: .zero, to: ceiling, using: &generator)
        case .decorrelated:
            let upper = min(cap, previous * 3)
            delay = min(cap, Self.uniform(from: base, to: max(base, upper), using: &generator))
        }
        previous = max(base, delay)
        return delay
    }

    /// Starts a new series (after a success).
    public mutating func reset() {
        previous = base
    }

    /// min(cap, base·2^attempt), without overflow for large attempts.
    public func exponential(_ attempt: Int) -> Duration {
        var value = base
        for _ in 0..<max(0, min(attempt, 62)) {
            if value >= cap { return cap }
            value = value * 2
        }
        return min(cap, value)
    }

    static func uniform(from low: Duration, to high: Duration, using generator: inout some RandomNumberGenerator) -> Duration {
        let lowNanos = low.nanosecondsCount
        let highNanos = high.nanosecondsCount
        guard highNanos > lowNanos else { return low }
        let span = UInt64(highNanos - lowNanos)
        let offset = span == .max ? generator.next() : generator.next(upperBound: span + 1)
        return .nanoseconds(Int64(lowNanos) + Int64(offset))
    }
}
