import Resilience
import TributaryCore

/// Why a source's next call has to wait: typed, so that callers decide by case (which error
/// code, which metric label) instead of comparing the text shown to operators.
public enum HoldReason: Sendable, Equatable, CustomStringConvertible {
    /// The source's own rate limiter has no tokens until it refills.
    case rateLimit
    /// The daily allowance is spent (`limit` when the source declares one); calls resume at the
    /// next UTC midnight.
    case quotaSpent(limit: Int?, resumesAt: UTCTimestamp)
    /// The upstream throttled (429 or a provider's equivalent) and asked for this pause.
    case throttled(status: Int, pause: Duration)
    /// The upstream banned the caller (Binance's HTTP 418) until its Retry-After.
    case banned
    /// Taken over with a poll job from an instance that was holding off for this reason.
    case adopted(String)

    public var description: String {
        switch self {
        case .rateLimit: "rate limit"
        case .quotaSpent(let limit, let resumesAt):
            "\(limit.map { "daily quota of \($0) calls" } ?? "the provider's daily allowance") spent; resumes at \(resumesAt.rfc3339)"
        case .throttled(let status, let pause): "throttled by the upstream (HTTP \(status)), Retry-After \(HoldReason.seconds(pause))"
        case .banned: "IP banned by the upstream (HTTP 418) until Retry-After"
        case .adopted(let reason): "taken over from an instance that was holding off: \(reason)"
        }
    }

    /// The `reason` label of `ingestion_resilience_rejections_total` for a call held back by it.
    public var metricLabel: String {
        switch self {
        case .rateLimit: "limiter"
        case .quotaSpent: "quota"
        case .throttled, .banned, .adopted: "paused"
        }
    }

    /// The error a call gets when the hold outlasts what it may wait.
    public var errorCode: ResilienceError.Code {
        switch self {
        case .rateLimit: .rateLimited
        case .quotaSpent, .throttled, .banned, .adopted: .paused
        }
    }

    /// A duration as an operator reads it: tenths of a second under 10 s, whole seconds above.
    static func seconds(_ duration: Duration) -> String {
        let s = duration.fractionalSeconds
        return s < 10 ? "\((s * 10).rounded() / 10) s" : "\(Int(s.rounded())) s"
    }
}
