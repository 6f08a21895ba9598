import TributaryCore

/// A market-data source: what to ask for, and how to read the answer. It does no I/O.
///
/// Scheduling, rate limiting, breakers, retries, latency and provenance are written once,
/// in the engine; a connector only turns (endpoint, symbols) into an ``HTTPRequest`` and an
/// ``HTTPResponse`` into records. That keeps each provider to a request builder and a
/// decoder that a test can drive with nothing but a payload file.
///
/// ```swift
/// let binance = BinanceConnector(baseURL: "https://api.binance.com")
/// let request = try binance.request(for: "ticker", symbols: ["BTCUSDT"], at: .now())
/// let records = try binance.decode(response, for: "ticker", receivedAt: .now())
/// ```
public protocol Connector: Sendable {
    var id: SourceID { get }
    /// Where requests go (the provider's address, or an override such as the mock market).
    var baseURL: String { get }
    /// The endpoint names this connector serves (`ticker`, `klines`, …).
    var endpoints: [EndpointDescription] { get }
    func request(for endpoint: String, symbols: [String], at now: UTCTimestamp) throws(ConnectorError) -> HTTPRequest
    /// Turns a response (any status) into records, or a ``ConnectorError`` saying why not.
    /// `receivedAt` stands in for as-of where the body carries no time of its own.
    func decode(_ response: HTTPResponse, for endpoint: String, receivedAt: UTCTimestamp) throws(ConnectorError) -> [Record]
}

/// What an endpoint returns, for listings and validation.
public struct EndpointDescription: Sendable, Hashable {
    public var name: String
    public var kind: Record.Kind
    /// Whether a symbol must be given.
    public var needsSymbol: Bool
    public var summary: String

    public init(name: String, kind: Record.Kind, needsSymbol: Bool, summary: String) {
        self.name = name
        self.kind = kind
        self.needsSymbol = needsSymbol
        self.summary = summary
    }
}
