/// Why an HTTP exchange produced no response.
///
/// A struct around a private code (like `HTTPClientError`) so cases can be added without
/// breaking users. Each error knows whether retrying may help and whether it is evidence of
/// a sick upstream (and so counts against the source's circuit breaker).
public struct TransportError: Error, Hashable, CustomStringConvertible {
    enum Code: Hashable {
        case connectFailed
        case connectTimeout
        case timeout
        case dnsFailed
        case tlsFailed
        case bodyTooLarge(limit: Int)
        case connectionClosed
        case invalidRequest
        case shutDown
        case other(code: Int)
    }

    let code: Code
    /// Human-readable detail (from libcurl's error buffer); never contains secrets.
    public let detail: String

    init(_ code: Code, detail: String) {
        self.code = code
        self.detail = detail
    }

    /// A short, bounded name for metrics labels (`connect`, `timeout`, `tls`, …).
    public var label: String {
        switch code {
        case .connectFailed, .dnsFailed: "connect"
        case .connectTimeout, .timeout: "timeout"
        case .tlsFailed: "tls"
        case .bodyTooLarge: "body_too_large"
        case .connectionClosed: "connection_closed"
        case .invalidRequest, .shutDown, .other: "transport"
        }
    }

    public static func connectFailed(_ detail: String) -> TransportError { .init(.connectFailed, detail: detail) }
    public static func connectTimeout(_ detail: String) -> TransportError { .init(.connectTimeout, detail: detail) }
    public static func timeout(_ detail: String) -> TransportError { .init(.timeout, detail: detail) }
    public static func dnsFailed(_ detail: String) -> TransportError { .init(.dnsFailed, detail: detail) }
    public static func tlsFailed(_ detail: String) -> TransportError { .init(.tlsFailed, detail: detail) }
    public static func bodyTooLarge(limit: Int) -> TransportError {
        .init(.bodyTooLarge(limit: limit), detail: "response body is larger than the \(limit)-byte cap")
    }
    public static func connectionClosed(_ detail: String) -> TransportError { .init(.connectionClosed, detail: detail) }
    public static func invalidRequest(_ detail: String) -> TransportError { .init(.invalidRequest, detail: detail) }
    public static let shutDown = TransportError(.shutDown, detail: "the HTTP client has been shut down")
    public static func other(code: Int, _ detail: String) -> TransportError { .init(.other(code: code), detail: detail) }

    public var isConnectTimeout: Bool { code == .connectTimeout }
    public var isTimeout: Bool { code == .timeout || code == .connectTimeout }
    public var isBodyTooLarge: Bool { if case .bodyTooLarge = code { true } else { false } }
    public var isConnectionClosed: Bool { code == .connectionClosed }
    public var isConnectFailure: Bool { code == .connectFailed || code == .connectTimeout || code == .dnsFailed }

    /// Whether sending the same request again may succeed.
    public var isRetryable: Bool {
        switch code {
        case .connectFailed, .connectTimeout, .timeout, .dnsFailed, .connectionClosed: true
        case .tlsFailed, .bodyTooLarge, .invalidRequest, .shutDown, .other: false
        }
    }

    /// Whether this failure says something about the upstream's health.
    public var countsAgainstBreaker: Bool {
        switch code {
        case .connectFailed, .connectTimeout, .timeout, .dnsFailed, .connectionClosed, .tlsFailed, .other: true
        case .bodyTooLarge, .invalidRequest, .shutDown: false
        }
    }

    public var description: String {
        let kind: String =
            switch code {
            case .connectFailed: "connect failed"
            case .connectTimeout: "connect timed out"
            case .timeout: "request timed out"
            case .dnsFailed: "DNS lookup failed"
            case .tlsFailed: "TLS failed"
            case .bodyTooLarge: "body too large"
            case .connectionClosed: "connection closed before the response was complete"
            case .invalidRequest: "invalid request"
            case .shutDown: "client shut down"
            case .other(let code): "transfer failed (curl code \(code))"
            }
        return detail.isEmpty ? kind : "\(kind): \(detail)"
    }
}
