import Connectors
import Resilience
import TributaryCore

/// How one attempt ended, in the terms the resilience layer acts on.
public enum CallOutcome: Sendable, Hashable {
    case success
    /// Failed; `countsAgainstBreaker` when the failure says the upstream is unwell.
    case failure(countsAgainstBreaker: Bool, retryable: Bool)
    /// The upstream asked us to slow down (429, 418, a throttling body).
    case throttled(status: Int, quotaExhausted: Bool)
    /// Says nothing about the upstream (cancelled, or refused before sending).
    case ignored

    /// Classifies an attempt's error.
    public static func classify(_ error: any Error) -> CallOutcome {
        switch error {
        case let error as TransportError:
            return .failure(countsAgainstBreaker: error.countsAgainstBreaker, retryable: error.isRetryable)
        case let error as ConnectorError:
            if let status = error.code.throttleStatus { return .throttled(status: status, quotaExhausted: false) }
            if error.code == .quotaExhausted { return .throttled(status: 429, quotaExhausted: true) }
            return .failure(countsAgainstBreaker: error.countsAgainstBreaker, retryable: error.isRetryable)
        case is CancellationError:
            return .ignored
        default:
            return .failure(countsAgainstBreaker: false, retryable: false)
        }
    }

    /// The `outcome` label of `ingestion_requests_total`.
    public var label: String {
        switch self {
        case .success: "success"
        case .failure: "error"
        case .throttled: "throttled"
        case .ignored: "cancelled"
        }
    }

    public var isRetryable: Bool {
        switch self {
        case .success, .ignored: false
        case .failure(_, let retryable): retryable
        case .throttled(let status, let quotaExhausted): !quotaExhausted && status != 418
        }
    }
}
