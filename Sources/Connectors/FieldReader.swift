import TributaryCore

/// Reads typed fields from a JSON object, with errors that name the field and what was wrong.
///
/// Every decoder uses it, so "field 'lastPrice' is a number, expected a decimal string"
/// reads the same whatever the source.
public struct FieldReader {
    public let json: JSONValue
    public let source: SourceID
    public let context: String

    public init(json: JSONValue, source: SourceID, context: String) {
        self.json = json
        self.source = source
        self.context = context
    }

    func failure(_ key: String, _ problem: String) -> ConnectorError {
        ConnectorError(.decode, source: source, "\(context): field '\(key)' \(problem)")
    }

    public func value(_ key: String) throws(ConnectorError) -> JSONValue {
        guard case .object(let object) = json else {
            throw ConnectorError(.decode, source: source, "\(context): expected an object, got \(json.typeName)")
        }
        guard let value = object[key] else { throw failure(key, "is missing") }
        return value
    }

    public func string(_ key: String) throws(ConnectorError) -> String {
        let value = try value(key)
        guard let text = value.stringValue else { throw failure(key, "is \(value.typeName), expected a string") }
        return text
    }

    public func int(_ key: String) throws(ConnectorError) -> Int64 {
        let value = try value(key)
        guard let number = value.int64Value else { throw failure(key, "is \(value.typeName), expected an integer") }
        return number
    }

    /// An integer field counting `unit` since the epoch, checked against the supported range.
    public func time(_ key: String, _ unit: UTCTimestamp.EpochUnit) throws(ConnectorError) -> UTCTimestamp {
        try ConnectorSupport.time(try int(key), unit, at: "\(context): field '\(key)'", source: source)
    }

    public func decimal(_ key: String) throws(ConnectorError) -> ExactDecimal {
        let value = try value(key)
        guard let decimal = value.decimalValue else {
            throw failure(
                key, value.stringValue.map { "is '\($0.prefix(40))', expected a decimal number" } ?? "is \(value.typeName), expected a decimal number")
        }
        return decimal
    }

    /// Nil when the field is absent or null; an error when present but not a decimal.
    public func optionalDecimal(_ key: String) throws(ConnectorError) -> ExactDecimal? {
        guard case .object(let object) = json, let value = object[key], !value.isNull else { return nil }
        guard let decimal = value.decimalValue else {
            throw failure(key, "is \(value.typeName), expected a decimal number")
        }
        return decimal
    }
}
