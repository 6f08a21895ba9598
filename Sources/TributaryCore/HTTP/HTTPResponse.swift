/// A complete HTTP response: status, headers, the whole body and where the time went.
public struct HTTPResponse: Sendable, Hashable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]
    public var timings: HTTPTimings

    public init(status: Int, headers: HTTPHeaders = [:], body: [UInt8] = [], timings: HTTPTimings = .zero) {
        self.status = status
        self.headers = headers
        self.body = body
        self.timings = timings
    }

    public var isSuccess: Bool { (200..<300).contains(status) }

    /// The body as text, for error messages (invalid UTF-8 is replaced, not trusted).
    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}

/// Phase times of one exchange, each measured from the start of the transfer.
///
/// A reused connection shows zero DNS, connect and TLS time; that is how pooling is seen
/// working from the outside.
public struct HTTPTimings: Sendable, Hashable {
    public var dns: Duration
    public var connect: Duration
    public var tls: Duration
    public var firstByte: Duration
    public var total: Duration
    /// New connections this transfer had to open (0 when a pooled one was reused).
    public var connectionsOpened: Int

    public init(dns: Duration, connect: Duration, tls: Duration, firstByte: Duration, total: Duration, connectionsOpened: Int) {
        self.dns = dns
        self.connect = connect
        self.tls = tls
        self.firstByte = firstByte
        self.total = total
        self.connectionsOpened = connectionsOpened
    }

    public static let zero = HTTPTimings(dns: .zero, connect: .zero, tls: .zero, firstByte: .zero, total: .zero, connectionsOpened: 0)
}
