import TributaryCore

/// How the shared libcurl connection pool behaves.
///
/// One multi handle serves every source, so DNS answers, TLS sessions and keep-alive
/// connections are shared across all requests to the same host. The defaults suit a
/// process that talks to a few dozen hosts at tens to thousands of requests per second.
public struct PoolConfiguration: Sendable, Hashable {
    /// Upper bound on open connections across all hosts (`CURLMOPT_MAX_TOTAL_CONNECTIONS`).
    public var maxConnections: Int = 5_000
    /// Upper bound on open connections to one host (`CURLMOPT_MAX_HOST_CONNECTIONS`); further
    /// requests wait in libcurl's queue for a free connection.
    public var maxConnectionsPerHost: Int = 100
    /// Idle connections kept for reuse (`CURLMOPT_MAXCONNECTS`).
    public var maxIdleConnections: Int = 5_000
    /// TCP keep-alive probe idle time and interval.
    public var tcpKeepAlive: Duration = .seconds(30)
    /// How long resolved addresses are reused.
    public var dnsCacheTimeout: Duration = .seconds(300)
    /// Multiplex requests over one HTTP/2 connection where the server offers it (TLS only).
    public var http2Multiplexing: Bool = true
    /// Streams per HTTP/2 connection.
    public var maxConcurrentStreams: Int = 100
    /// Easy handles kept for reuse once their transfer is done.
    public var maxIdleHandles: Int = 1_024
    /// Longest the loop thread sleeps in `curl_multi_poll` when nothing wakes it.
    public var pollInterval: Duration = .milliseconds(500)
    /// Sent as `User-Agent` when a request carries none.
    public var userAgent: String = "tributary/\(TributaryVersion.current)"

    public init() {}
}
