/// One HTTP request as a value: what a connector builds and a transport sends.
///
/// Timeouts and the body cap travel with the request because each source has its own
/// (Sources.d `timeouts:`); nothing waits forever.
public struct HTTPRequest: Sendable, Hashable {
    public enum Method: String, Sendable, Hashable {
        case get = "GET"
        case post = "POST"
        case put = "PUT"
        case delete = "DELETE"
        case head = "HEAD"
    }

    public var method: Method
    /// Absolute `http://` or `https://` URL, query included and already percent-encoded.
    public var url: String
    public var headers: HTTPHeaders
    public var body: [UInt8]?
    /// Longest time to establish the TCP (and TLS) connection.
    public var connectTimeout: Duration
    /// Longest time for the whole exchange, connect included.
    public var totalTimeout: Duration
    /// Response bodies larger than this fail with ``TransportError/bodyTooLarge(limit:)``.
    public var maxBodyBytes: Int

    public static let defaultConnectTimeout: Duration = .seconds(5)
    public static let defaultTotalTimeout: Duration = .seconds(30)
    public static let defaultMaxBodyBytes = 16 * 1024 * 1024

    public init(
        method: Method = .get, url: String, headers: HTTPHeaders = [:], body: [UInt8]? = nil,
        connectTimeout: Duration = HTTPRequest.defaultConnectTimeout,
        totalTimeout: Duration = HTTPRequest.defaultTotalTimeout,
        maxBodyBytes: Int = HTTPRequest.defaultMaxBodyBytes
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.connectTimeout = connectTimeout
        self.totalTimeout = totalTimeout
        self.maxBodyBytes = maxBodyBytes
    }
}
