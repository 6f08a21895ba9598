/// Why a bucket or folder could not be listed or read: typed, so the resilience layer knows
/// what to retry, and worded with the fix, so the user knows what to change.
public struct BlobError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        case noSuchBucket = "no such bucket"
        case noSuchKey = "no such object"
        case accessDenied = "access denied"
        case expiredToken = "expired credentials"
        case invalidCredentials = "invalid credentials"
        /// `SlowDown`, 503 or 429: the server asks for fewer requests.
        case throttled
        /// The object changed between the listing and the read.
        case changed = "object changed"
        /// A 5xx or a broken answer: worth another attempt.
        case unavailable = "server unavailable"
        case invalidResponse = "invalid response"
        case unreadable = "cannot read"
    }

    public var code: Code
    /// Where: the bucket, key or file concerned.
    public var location: String
    /// What the server or file system said, and what to do about it.
    public var detail: String
    /// Seconds the server asked to wait (Retry-After), when it said.
    public var retryAfterSeconds: Double?

    public init(_ code: Code, location: String, _ detail: String, retryAfterSeconds: Double? = nil) {
        self.code = code
        self.location = location
        self.detail = detail
        self.retryAfterSeconds = retryAfterSeconds
    }

    public var description: String { "\(location): \(code.rawValue): \(detail)" }

    /// Another attempt may succeed: throttling, a server error, or a connection that broke.
    public var isRetryable: Bool { code == .throttled || code == .unavailable }

    /// The failure says the server is unwell (not that the request was wrong).
    public var countsAgainstBreaker: Bool { code == .unavailable }
}
