import TributaryCore

/// Something that could not be decoded or stored, kept with why so it can be looked at and
/// replayed (`tributary dlq list|show|replay`).
///
/// Two kinds: a **record** that decoded but could not be stored (its full JSON line and its
/// identity, so a replay upserts it unchanged), and a **response** whose body could not be
/// decoded (the raw body and the call that fetched it, so a replay decodes it again — after a
/// connector fix, say).
public struct DeadLetter: Sendable, Hashable {
    public enum Payload: Sendable, Hashable {
        /// A decoded record, as its stored JSON line with the key fields the store needs.
        case record(StoredRecord)
        /// An upstream body that did not decode, with the call that fetched it and its HTTP status.
        case response(call: EndpointCallText, status: Int, body: [UInt8])
        /// An imported row that is not a valid record, with where it is in its file.
        case row(file: String, line: Int, raw: [UInt8])
    }

    public var id: Int64?
    public var source: String
    public var endpoint: String
    public var reason: String
    public var payload: Payload
    public var createdAt: UTCTimestamp
    public var replayedAt: UTCTimestamp?

    public init(source: String, endpoint: String, reason: String, payload: Payload, createdAt: UTCTimestamp = .now()) {
        self.source = source
        self.endpoint = endpoint
        self.reason = reason
        self.payload = payload
        self.createdAt = createdAt
    }

    /// Bytes kept: the record's line or the raw body.
    public var size: Int {
        switch payload {
        case .record(let row): row.line.utf8.count
        case .response(_, _, let body): body.count
        case .row(_, _, let raw): raw.count
        }
    }

    /// `record` or `response`.
    public var kindName: String {
        switch payload {
        case .record: "record"
        case .response: "response"
        case .row: "row"
        }
    }
}

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

    var json: String {
        JSONWriter.string(.object(JSONObject([
            ("endpoint", .string(endpoint)), ("symbols", .array(symbols.map(JSONValue.string))),
            ("parameters", .object(JSONObject(parameters.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.string($0.value)) }))),
        ])))
    }

    init?(json: String) {
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

/// A record as the store keeps it: its identity, content hash, times and JSON line.
public struct StoredRecord: Sendable, Hashable {
    public var source: String
    public var kind: String
    public var symbol: String
    public var naturalKey: String
    public var endpoint: String
    public var contentHash: String
    public var line: String
    public var observedAt: String
    public var ingestedAt: String
    /// The time the datum describes (``Record/asOf``), for the latest view.
    public var asOf: String?

    public init(_ envelope: Envelope) {
        let record = envelope.record
        source = record.source.rawValue
        kind = record.kind.rawValue
        symbol = record.symbol
        naturalKey = envelope.identity ?? record.naturalKey
        endpoint = record.endpoint
        contentHash = envelope.provenance.contentHash
        line = envelope.jsonLine
        observedAt = envelope.provenance.observedAt.rfc3339
        ingestedAt = envelope.provenance.ingestedAt.rfc3339
        asOf = record.asOf?.rfc3339
    }

    init(source: String, kind: String, symbol: String, naturalKey: String, endpoint: String, contentHash: String, line: String, observedAt: String, ingestedAt: String, asOf: String?) {
        (self.source, self.kind, self.symbol, self.naturalKey, self.endpoint) = (source, kind, symbol, naturalKey, endpoint)
        (self.contentHash, self.line, self.observedAt, self.ingestedAt) = (contentHash, line, observedAt, ingestedAt)
        self.asOf = asOf
    }
}
