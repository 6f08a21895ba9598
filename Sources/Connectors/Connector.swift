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
/// let call = EndpointCall("klines", symbols: ["BTCUSDT"], parameters: ["interval": "1h"])
/// let request = try binance.request(for: call, at: .now())
/// let records = try binance.decode(response, for: call, receivedAt: .now())
/// ```
public protocol Connector: Sendable {
    var id: SourceID { get }
    /// Where requests go (the provider's address, or an override such as the mock market).
    var baseURL: String { get }
    /// The endpoint names this connector serves (`ticker`, `klines`, …).
    var endpoints: [EndpointDescription] { get }
    /// Builds the request; `now` is used for anything time-dependent (signatures, ranges).
    func request(for call: EndpointCall, at now: UTCTimestamp) throws(ConnectorError) -> HTTPRequest
    /// Turns a response (any status) into records, or a ``ConnectorError`` saying why not.
    /// `receivedAt` stands in for as-of where the body carries no time of its own.
    func decode(_ response: HTTPResponse, for call: EndpointCall, receivedAt: UTCTimestamp) throws(ConnectorError) -> [Record]
}

extension Connector {
    /// A call with symbols and no extra parameters.
    public func request(for endpoint: String, symbols: [String], at now: UTCTimestamp) throws(ConnectorError) -> HTTPRequest {
        try request(for: EndpointCall(endpoint, symbols: symbols), at: now)
    }

    /// Decodes a response to a call that had no extra parameters.
    public func decode(_ response: HTTPResponse, for endpoint: String, receivedAt: UTCTimestamp) throws(ConnectorError) -> [Record] {
        try decode(response, for: EndpointCall(endpoint), receivedAt: receivedAt)
    }

    /// The description of `endpoint`, or an error listing the ones there are.
    public func describe(_ endpoint: String) throws(ConnectorError) -> EndpointDescription {
        guard let found = endpoints.first(where: { $0.name == endpoint }) else {
            throw ConnectorError(.unknownEndpoint, source: id, "unknown endpoint '\(endpoint)'; available: \(endpoints.map(\.name).joined(separator: ", "))")
        }
        return found
    }
}

/// What an endpoint returns, for listings and validation.
public struct EndpointDescription: Sendable, Hashable {
    public var name: String
    public var kind: Record.Kind
    /// Whether a symbol must be given.
    public var needsSymbol: Bool
    public var summary: String
    /// Extra parameters the endpoint takes, with their defaults ("" when required).
    public var parameters: [String: String]
    /// Environment variables that must be set (names only, never values).
    public var credentials: [String]

    public init(
        name: String, kind: Record.Kind, needsSymbol: Bool, summary: String, parameters: [String: String] = [:],
        credentials: [String] = []
    ) {
        self.name = name
        self.kind = kind
        self.needsSymbol = needsSymbol
        self.summary = summary
        self.parameters = parameters
        self.credentials = credentials
    }
}
