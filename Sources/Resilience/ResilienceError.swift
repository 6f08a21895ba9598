/// Why the resilience layer did not (or no longer) let a call through.
///
/// Honest and typed: a source that is throttled says so and says until when; nothing here is
/// ever reported as "no data". Each case knows whether a later retry can help and which status
/// the push path would answer with.
public struct ResilienceError: Error, Hashable, CustomStringConvertible {
    /// What stopped the call, as a value that can grow (like `TransportError`): a struct around
    /// a private case list with a static member per kind. Compare with `==`, or match in a
    /// `switch` with a `default`.
    public struct Code: Hashable, Sendable {
        enum Kind: Hashable, Sendable {
            case circuitOpen, paused, rateLimited, bulkheadFull, costTooLarge, retryBudgetExhausted
        }

        let kind: Kind

        /// The breaker is open after repeated failures.
        public static let circuitOpen = Code(kind: .circuitOpen)
        /// The upstream asked us to wait (429, 418, or a throttling body), or its quota is spent.
        public static let paused = Code(kind: .paused)
        /// Waiting for the rate limiter would take longer than allowed.
        public static let rateLimited = Code(kind: .rateLimited)
        /// Every in-flight permit of the source is taken.
        public static let bulkheadFull = Code(kind: .bulkheadFull)
        /// A single call costs more than the limiter can ever hold.
        public static let costTooLarge = Code(kind: .costTooLarge)
        /// Retries are over budget for now; the failure is reported instead.
        public static let retryBudgetExhausted = Code(kind: .retryBudgetExhausted)

        /// The upstream or the limiter holds calls back (as opposed to a breaker or a full bulkhead).
        public var isThrottle: Bool { kind == .paused || kind == .rateLimited }
    }

    public let code: Code
    public let source: String
    /// When a call could next go through, where known (seconds since the Unix epoch, UTC).
    public let retryAt: Double?
    public let message: String

    public init(_ code: Code, source: String, retryAt: Double? = nil, _ message: String) {
        self.code = code
        self.source = source
        self.retryAt = retryAt
        self.message = message
    }

    /// Whether the same call may succeed later without any change.
    public var isRetryableLater: Bool { code != .costTooLarge }

    /// Rejections are not evidence about the upstream: they never count against the breaker.
    public var countsAgainstBreaker: Bool { false }

    /// The status the push path answers with when this stops a request.
    public var httpStatus: Int {
        switch code.kind {
        case .circuitOpen, .bulkheadFull: 503
        case .paused, .rateLimited, .retryBudgetExhausted: 429
        case .costTooLarge: 413
        }
    }

    public var description: String { "\(source): \(message)" }
}
