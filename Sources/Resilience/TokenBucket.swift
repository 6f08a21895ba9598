/// A rate limiter in the provider's own units (requests, or request weight), with burst.
///
/// Tokens refill continuously at `refillPerSecond` up to `capacity`; a call costing `cost`
/// tokens is admitted only if that many are there. Over any window of length t it admits at
/// most `capacity + refillPerSecond·t` tokens' worth — unlike fixed-window counters, which
/// allow up to twice the rate across a window boundary. Where the upstream reports its own
/// count (Binance `X-MBX-USED-WEIGHT-1M`), ``observeUpstreamUsage(used:limit:now:)`` lowers the
/// bucket to the server's view, so a second process sharing the key is accounted for.
public struct TokenBucket<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration, Instant: Sendable {
    public let capacity: Double
    public let refillPerSecond: Double
    public private(set) var tokens: Double
    private var updatedAt: Instant?

    public init(capacity: Double, refillPerSecond: Double) {
        precondition(capacity > 0 && refillPerSecond > 0, "a token bucket needs capacity > 0 and refill > 0")
        self.capacity = capacity
        self.refillPerSecond = refillPerSecond
        self.tokens = capacity
    }

    public enum Decision: Sendable, Hashable {
        case admitted
        /// Not enough tokens; enough will be there at `retryAt`.
        case wait(retryAt: Instant)
        /// More than the bucket can ever hold: the call can never be admitted.
        case tooLarge
    }

    /// Takes `cost` tokens at `now` if they are there.
    public mutating func acquire(cost: Double = 1, now: Instant) -> Decision {
        guard cost <= capacity else { return .tooLarge }
        refill(now: now)
        if tokens >= cost {
            tokens -= cost
            return .admitted
        }
        let missing = cost - tokens
        let seconds = missing / refillPerSecond
        return .wait(retryAt: now.advanced(by: .nanoseconds(Int64((seconds * 1e9).rounded(.up)))))
    }

    /// The upstream says `used` of `limit` units are spent in its current window: never
    /// believe we have more left than it does.
    public mutating func observeUpstreamUsage(used: Double, limit: Double, now: Instant) {
        refill(now: now)
        guard limit > 0 else { return }
        let remainingFraction = max(0, (limit - used) / limit)
        tokens = min(tokens, remainingFraction * capacity)
    }

    /// Gives back tokens taken for a call that did not go out after all.
    public mutating func refund(_ cost: Double) {
        tokens = min(capacity, tokens + cost)
    }

    /// Empties the bucket (a 429 says we are over, whatever our own count says).
    public mutating func drain(now: Instant) {
        refill(now: now)
        tokens = 0
    }

    private mutating func refill(now: Instant) {
        if let updatedAt, now > updatedAt {
            let elapsed = updatedAt.duration(to: now)
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            tokens = min(capacity, tokens + seconds * refillPerSecond)
        }
        if updatedAt == nil || now > updatedAt! { updatedAt = now }
    }
}
