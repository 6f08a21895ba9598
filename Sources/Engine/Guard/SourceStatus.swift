import TributaryCore

/// What `tributary sources` and `/sources` show about one source's resilience state.
public struct SourceStatus: Sendable, Hashable {
    /// `closed`, `half-open`, `open` or `paused`.
    public var state: String
    /// When a call may next go out, if not now.
    public var nextAllowedAt: UTCTimestamp?
    /// Why the source is not calling (the last error, the throttle, the quota).
    public var reason: String?
    public var inFlight: Int
    public var windowFailures: Int
    public var windowCalls: Int
    public var tokens: Double?
    public var quotaRemaining: Int?
    public var retries: Int
    public var throttles: Int
    public var rejections: Int
}
