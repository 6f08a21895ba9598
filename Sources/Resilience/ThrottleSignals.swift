import TributaryCore

/// What a response says about the source's own rate limits, read from its headers.
///
/// Providers report usage in different ways: Binance counts request weight
/// (`X-MBX-USED-WEIGHT-1M`), others send `RateLimit-Remaining` / `X-RateLimit-Remaining` with a
/// reset, and any of them may send `Retry-After`. The limiter follows the server's count where
/// there is one, rather than only its own guess.
public struct ThrottleSignals: Sendable, Hashable {
    /// The upstream's Retry-After, as a delay from the response's arrival.
    public var retryAfter: Duration?
    /// Units used in the upstream's current window (Binance weight).
    public var used: Double?
    /// Units left in the upstream's current window.
    public var remaining: Double?

    public init(retryAfter: Duration? = nil, used: Double? = nil, remaining: Double? = nil) {
        self.retryAfter = retryAfter
        self.used = used
        self.remaining = remaining
    }

    public static func read(_ headers: HTTPHeaders, now: UTCTimestamp) -> ThrottleSignals {
        ThrottleSignals(
            retryAfter: RetryAfter.delay(headers["Retry-After"], now: now),
            used: headers["X-MBX-USED-WEIGHT-1M"].flatMap { Double($0) },
            remaining: (headers["RateLimit-Remaining"] ?? headers["X-RateLimit-Remaining"]).flatMap { Double($0) }
        )
    }
}
