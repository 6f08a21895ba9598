import TributaryCore

/// A call in a form that survives a restart: endpoint, symbols and parameters as text.
public struct EndpointCallText: Sendable, Hashable {
    public var endpoint: String
    public var symbols: [String]
    public var parameters: [String: String]

    public init(endpoint: String, symbols: [String], parameters: [String: String]) {
        self.endpoint = endpoint
        self.symbols = symbols
        self.parameters = parameters
    }

    public var json: String {
        JSONWriter.string(
            .object(
                JSONObject([
                    ("endpoint", .string(endpoint)), ("symbols", .array(symbols.map(JSONValue.string))),
                    ("parameters", .object(JSONObject(parameters.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.string($0.value)) }))),
                ])))
    }

    public init?(json: String) {
        guard case .object(let object)? = try? JSONParser.parse(Array(json.utf8)), case .string(let endpoint)? = object["endpoint"] else { return nil }
        self.endpoint = endpoint
        if case .array(let items)? = object["symbols"] { symbols = items.compactMap { if case .string(let s) = $0 { s } else { nil } } } else { symbols = [] }
        var parameters: [String: String] = [:]
        if case .object(let members)? = object["parameters"] {
            for (key, value) in members.members { if case .string(let text) = value { parameters[key] = text } }
        }
        self.parameters = parameters
    }
}
