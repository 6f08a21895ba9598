import TributaryCore

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
    /// This process's part of the provider's budget, (0, 1]: with several instances sharing a
    /// source's poll jobs, each limits itself to the share of the jobs it holds, so together
    /// they stay within the provider's limit instead of each spending all of it.
    public private(set) var share: Double = 1

    /// The burst this process may spend: `capacity` × ``share``.
    public var effectiveCapacity: Double { capacity * share }
    /// The rate this process may spend: `refillPerSecond` × ``share``.
    public var effectiveRefillPerSecond: Double { refillPerSecond * share }

    /// The smallest share kept (a share of nothing would never refill).
    public static var minimumShare: Double { 0.01 }

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

    /// Takes `cost` tokens at `now` if they are there. A call dearer than this process's share
    /// of the burst (but not than the whole bucket) goes out once the share is full, leaving the
    /// bucket in debt that the refill pays back first — the long-run rate stays the share's.
    public mutating func acquire(cost: Double = 1, now: Instant) -> Decision {
        guard cost <= capacity else { return .tooLarge }
        refill(now: now)
        let needed = min(cost, effectiveCapacity)
        if tokens >= needed {
            tokens -= cost
            return .admitted
        }
        let missing = needed - tokens
        let seconds = missing / effectiveRefillPerSecond
        return .wait(retryAt: now.advanced(by: .nanoseconds(Int64((seconds * 1e9).rounded(.up)))))
    }

    /// The upstream says `used` of `limit` units are spent in its current window: never
    /// believe we have more left than it does.
    public mutating func observeUpstreamUsage(used: Double, limit: Double, now: Instant) {
        refill(now: now)
        guard limit > 0 else { return }
        let remainingFraction = max(0, (limit - used) / limit)
        tokens = min(tokens, remainingFraction * effectiveCapacity)
    }

    /// Gives back tokens taken for a call that did not go out after all.
    public mutating func refund(_ cost: Double) {
        tokens = min(effectiveCapacity, tokens + cost)
    }

    /// Sets this process's share of the budget (clamped to ``minimumShare``…1); tokens above the
    /// new share's burst are given up at once.
    public mutating func setShare(_ newShare: Double, now: Instant) {
        refill(now: now)
        share = min(1, max(Self.minimumShare, newShare.isFinite ? newShare : 1))
        tokens = min(tokens, effectiveCapacity)
    }

    /// Empties the bucket (a 429 says we are over, whatever our own count says).
    public mutating func drain(now: Instant) {
        refill(now: now)
        tokens = 0
    }

    private mutating func refill(now: Instant) {
        if let updatedAt, now > updatedAt {
            let elapsed = updatedAt.duration(to: now)
            let seconds = elapsed.fractionalSeconds
            tokens = min(effectiveCapacity, tokens + seconds * effectiveRefillPerSecond)
        }
        if updatedAt == nil || now > updatedAt! { updatedAt = now }
    }
}
