/// One call to make: which endpoint, for which symbols, with which extra parameters.
///
/// Parameters are the endpoint's own options (`interval`, `limit`, `start`, …), given on the
/// command line as `--param interval=1h` or in a poll schedule; each endpoint documents its
/// defaults and rejects unknown ones.
public struct EndpointCall: Sendable, Hashable {
    public var endpoint: String
    public var symbols: [String]
    public var parameters: [String: String]

    public init(_ endpoint: String, symbols: [String] = [], parameters: [String: String] = [:]) {
        self.endpoint = endpoint
        self.symbols = symbols
        self.parameters = parameters
    }
}
