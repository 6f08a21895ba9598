import TributaryCore

/// One window's features for one entity (a symbol from a source): the row the store keeps,
/// upserted by (set, version, source, symbol, window, start).
///
/// The content hash covers what the row says — its identity and values — and not when or how
/// it was computed, so streaming and backfill produce the same hash for the same window and a
/// re-emission that changes nothing is stored as unchanged.
public struct FeatureRow: Sendable, Hashable {
    public var set: String
    public var version: Int
    public var source: SourceID
    public var symbol: String
    /// The window's label (`1m`, `5m/1m`).
    public var window: String
    /// The window's start: the row's event time.
    public var start: UTCTimestamp
    public var end: UTCTimestamp
    /// Feature name → value, sorted by name; nil where a value cannot be computed yet (a return
    /// needs a previous window) or does not exist (a VWAP of zero volume).
    public var values: [Value]
    /// Events the window was computed from.
    public var events: Int
    /// Late events applied after the window was first emitted (a `correct` re-emission); 0 otherwise.
    public var corrections: Int
    public var contentHash: String

    public struct Value: Sendable, Hashable, Codable {
        public var name: String
        public var value: ExactDecimal?

        public init(_ name: String, _ value: ExactDecimal?) {
            self.name = name
            self.value = value
        }
    }

    public init(
        set: String, version: Int, source: SourceID, symbol: String, window: String, start: UTCTimestamp, end: UTCTimestamp, values: [Value],
        events: Int, corrections: Int
    ) {
        self.set = set
        self.version = version
        self.source = source
        self.symbol = symbol
        self.window = window
        self.start = start
        self.end = end
        self.values = values.sorted { $0.name.precedesByBytes($1.name) }
        self.events = events
        self.corrections = corrections
        self.contentHash = ""
        self.contentHash = ContentHash.of(bytes: canonicalBytes)
    }

    /// `source:symbol`, the entity a row describes.
    public var entityID: String { source.rawValue + ":" + symbol }

    public func value(_ name: String) -> ExactDecimal? {
        values.first { $0.name == name }?.value
    }

    /// The values as one JSON object, decimals as strings, keys sorted (what the store keeps).
    public var valuesJSON: String {
        JSONWriter.string(valuesObject)
    }

    /// Reads ``valuesJSON`` back; nil when it is not such an object.
    public static func values(fromJSON text: String) -> [Value]? {
        guard case .object(let object)? = try? JSONParser.parse(Array(text.utf8)) else { return nil }
        var values: [Value] = []
        for (name, value) in object.members {
            switch value {
            case .null: values.append(Value(name, nil))
            case .string(let text):
                guard let decimal = try? ExactDecimal(parsing: text) else { return nil }
                values.append(Value(name, decimal))
            default: return nil
            }
        }
        return values
    }

    var valuesObject: JSONValue {
        .object(JSONObject(values.map { ($0.name, $0.value.map { .string($0.normalized.description) } ?? .null) }))
    }

    /// The bytes the content hash is computed over: identity and values as canonical JSON (keys
    /// sorted, decimals as normalized text, times in nanoseconds), written straight into bytes —
    /// a row is hashed every time a window closes.
    package var canonicalBytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(160 + 40 * values.count)
        func text(_ value: String) {
            var writer = JSONWriter(reservingCapacity: value.utf8.count + 2)
            writer.writeString(value)
            out.append(contentsOf: writer.bytes)
        }
        out.append(contentsOf: #"{"end":"#.utf8)
        out.append(contentsOf: String(end.nanosecondsSinceEpoch).utf8)
        out.append(contentsOf: #","set":"#.utf8)
        text(set)
        out.append(contentsOf: #","source":"#.utf8)
        text(source.rawValue)
        out.append(contentsOf: #","start":"#.utf8)
        out.append(contentsOf: String(start.nanosecondsSinceEpoch).utf8)
        out.append(contentsOf: #","symbol":"#.utf8)
        text(symbol)
        out.append(contentsOf: #","values":{"#.utf8)
        for (index, item) in values.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            text(item.name)
            out.append(UInt8(ascii: ":"))
            if let value = item.value {
                out.append(UInt8(ascii: "\""))
                value.normalized.write(into: &out)
                out.append(UInt8(ascii: "\""))
            } else {
                out.append(contentsOf: "null".utf8)
            }
        }
        out.append(contentsOf: #"},"version":"#.utf8)
        out.append(contentsOf: String(version).utf8)
        out.append(contentsOf: #","window":"#.utf8)
        text(window)
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// The same bytes through the general JSON writer (what ``canonicalBytes`` must equal; tests compare them).
    package var canonicalBytesThroughJSONValue: [UInt8] {
        JSONWriter.encode(
            .object(
                JSONObject([
                    ("end", .number(String(end.nanosecondsSinceEpoch))), ("set", .string(set)), ("source", .string(source.rawValue)),
                    ("start", .number(String(start.nanosecondsSinceEpoch))), ("symbol", .string(symbol)), ("values", valuesObject),
                    ("version", .number(String(version))), ("window", .string(window)),
                ])), canonical: true)
    }
}
