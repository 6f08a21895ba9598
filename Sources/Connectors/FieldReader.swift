import TributaryCore

/// Reads typed fields from a JSON object, with errors that name the field and what was wrong.
///
/// Every decoder uses it, so "field 'lastPrice' is a number, expected a decimal string"
/// reads the same whatever the source. The object is a parsed tree, or a place on a
/// ``JSONTape``: read off the tape, a field's number is parsed from the bytes where it lies —
/// no tree of `String`s is built for the response, and a lookup compares bytes, not strings.
public struct FieldReader {
    private let object: Place
    public let source: SourceID
    public let context: String

    public init(json: JSONValue, source: SourceID, context: String) {
        self.object = .tree(json)
        self.source = source
        self.context = context
    }

    /// Fields of the object at `position` on `tape`.
    public init(tape: JSONTape, at position: JSONTape.Position, source: SourceID, context: String) {
        self.object = .tape(tape, position)
        self.source = source
        self.context = context
    }

    /// The object as a tree (built from the tape when read from one).
    public var json: JSONValue { object.value }

    func failure(_ key: String, _ problem: String) -> ConnectorError {
        ConnectorError(.decode, source: source, "\(context): field '\(key)' \(problem)")
    }

    /// The member named `key`; an error when this is not an object or has no such member.
    private func member(_ key: String) throws(ConnectorError) -> Place {
        guard object.isObject else { throw ConnectorError(.decode, source: source, "\(context): expected an object, got \(object.typeName)") }
        guard let member = object.member(key) else { throw failure(key, "is missing") }
        return member
    }

    public func value(_ key: String) throws(ConnectorError) -> JSONValue { try member(key).value }

    public func string(_ key: String) throws(ConnectorError) -> String {
        let value = try member(key)
        guard let text = value.string else { throw failure(key, "is \(value.typeName), expected a string") }
        return text
    }

    public func int(_ key: String) throws(ConnectorError) -> Int64 {
        let value = try member(key)
        guard let number = value.int64 else { throw failure(key, "is \(value.typeName), expected an integer") }
        return number
    }

    /// An integer field counting `unit` since the epoch, checked against the supported range.
    public func time(_ key: String, _ unit: UTCTimestamp.EpochUnit) throws(ConnectorError) -> UTCTimestamp {
        try ConnectorSupport.time(try int(key), unit, at: "\(context): field '\(key)'", source: source)
    }

    public func decimal(_ key: String) throws(ConnectorError) -> ExactDecimal {
        let value = try member(key)
        guard let decimal = value.decimal else {
            throw failure(key, value.string.map { "is '\($0.prefix(40))', expected a decimal number" } ?? "is \(value.typeName), expected a decimal number")
        }
        return decimal
    }

    /// Nil when the field is absent or null (or this is not an object); an error when present but not a decimal.
    public func optionalDecimal(_ key: String) throws(ConnectorError) -> ExactDecimal? {
        guard let value = object.member(key), !value.isNull else { return nil }
        guard let decimal = value.decimal else { throw failure(key, "is \(value.typeName), expected a decimal number") }
        return decimal
    }

    /// A JSON value in a parsed tree or on a tape, read with the same rules either way.
    private enum Place {
        case tree(JSONValue)
        case tape(JSONTape, JSONTape.Position)

        /// The member named `key` when this is an object that has one.
        func member(_ key: String) -> Place? {
            switch self {
            case .tree(let json):
                guard case .object(let object) = json else { return nil }
                return object[key].map(Place.tree)
            case .tape(let tape, let position): return tape.member(key, of: position).map { Place.tape(tape, $0) }
            }
        }
        var isObject: Bool {
            switch self {
            case .tree(let json): json.objectValue != nil
            case .tape(let tape, let position): tape.isObject(at: position)
            }
        }
        var value: JSONValue {
            switch self {
            case .tree(let json): json
            case .tape(let tape, let position): tape.value(at: position)
            }
        }
        var string: String? {
            switch self {
            case .tree(let json): json.stringValue
            case .tape(let tape, let position): tape.string(at: position)
            }
        }
        var int64: Int64? {
            switch self {
            case .tree(let json): json.int64Value
            case .tape(let tape, let position): tape.int64(at: position)
            }
        }
        var decimal: ExactDecimal? {
            switch self {
            case .tree(let json): json.decimalValue
            case .tape(let tape, let position): tape.decimal(at: position)
            }
        }
        var isNull: Bool {
            switch self {
            case .tree(let json): json.isNull
            case .tape(let tape, let position): tape.isNull(at: position)
            }
        }
        var typeName: String {
            switch self {
            case .tree(let json): json.typeName
            case .tape(let tape, let position): tape.typeName(at: position)
            }
        }
    }
}
