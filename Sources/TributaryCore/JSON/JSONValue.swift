/// A parsed JSON document whose numbers keep their exact text.
///
/// `JSONDecoder` turns every number into a `Double` on the way in, which is exactly what a
/// market-data system must not do (Coinbase candles and CoinGecko prices are JSON numbers).
/// `JSONValue` keeps the number's characters, so a connector can read it as an
/// ``ExactDecimal`` or an integer without ever passing through floating point.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    /// The number exactly as written, e.g. `"5.856e-05"`.
    case number(String)
    case string(String)
    case array([JSONValue])
    /// Members in document order; duplicate keys keep the first.
    case object(JSONObject)

    public subscript(key: String) -> JSONValue? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    public subscript(index: Int) -> JSONValue? {
        if case .array(let items) = self, items.indices.contains(index) { return items[index] }
        return nil
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    public var objectValue: JSONObject? {
        if case .object(let o) = self { return o }
        return nil
    }

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// The value as an exact decimal, whether the upstream sent `"1.5"` or `1.5`.
    public var decimalValue: ExactDecimal? {
        switch self {
        case .number(let text), .string(let text): return try? ExactDecimal(parsing: text)
        default: return nil
        }
    }

    /// The value as a whole number, whether sent as `123` or `"123"`.
    public var int64Value: Int64? {
        switch self {
        case .number(let text), .string(let text): return Int64(text)
        default: return nil
        }
    }

    /// A short name of the JSON type, for error messages.
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}

/// A JSON object's members in document order, looked up by key.
///
/// Upstream objects are small (tens of members), so a linear scan beats hashing every key.
public struct JSONObject: Sendable, Hashable {
    public var members: [(key: String, value: JSONValue)]

    public init(_ members: [(key: String, value: JSONValue)] = []) {
        self.members = members
    }

    public subscript(key: String) -> JSONValue? {
        for member in members where member.key == key { return member.value }
        return nil
    }

    public var keys: [String] { members.map(\.key) }

    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        lhs.members.count == rhs.members.count
            && zip(lhs.members, rhs.members).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(members.count)
        for member in members {
            hasher.combine(member.key)
            hasher.combine(member.value)
        }
    }
}
