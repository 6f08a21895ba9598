import TributaryCore

/// Small pieces every connector needs: parameter checks, time parameters, and reading a body
/// into JSON after the provider's error answers have been recognised.
public enum ConnectorSupport {
    public static func checkParameters(_ call: EndpointCall, allowed: [String: String], source: SourceID) throws(ConnectorError) {
        for key in call.parameters.keys where allowed[key] == nil {
            let known = allowed.keys.sorted()
            throw ConnectorError(
                .invalidArgument, source: source,
                "\(call.endpoint) takes no parameter '\(key)'" + (known.isEmpty ? "" : "; it takes: \(known.joined(separator: ", "))"))
        }
    }

    /// An upstream's epoch number as a time. A value outside ``UTCTimestamp/supportedRange`` is a
    /// decode error naming where it stood (`klines: row 3 field 0`), never a trap.
    public static func time(_ value: Int64, _ unit: UTCTimestamp.EpochUnit, at place: @autoclosure () -> String, source: SourceID) throws(ConnectorError)
        -> UTCTimestamp
    {
        guard let time = UTCTimestamp(epoch: value, unit: unit) else {
            throw ConnectorError(
                .decode, source: source,
                "\(place()) is \(value) \(unit.rawValue) since the epoch, outside the supported range \(UTCTimestamp.supportedRangeText)")
        }
        return time
    }

    /// An RFC 3339 time or epoch milliseconds, written back as RFC 3339.
    public static func rfc3339(_ text: String, _ name: String, source: SourceID) throws(ConnectorError) -> String {
        if let time = UTCTimestamp(rfc3339: text) { return time.rfc3339 }
        if let ms = Int64(text), let time = UTCTimestamp(millisecondsSinceEpoch: ms) { return time.rfc3339 }
        throw ConnectorError(
            .invalidArgument, source: source, "\(name) must be an RFC 3339 time such as 2024-01-02T00:00:00Z or epoch milliseconds, got '\(text)'")
    }

    /// How a provider's error answers read in a parsed body (its `…ErrorBody.check`): throws
    /// the typed error the body carries, returns when the body is not an error answer. Given
    /// `.null` when the body is not JSON, so checks that depend on the status alone still run.
    public typealias ErrorBodyCheck = (_ body: JSONValue, _ status: Int, _ source: SourceID) throws(ConnectorError) -> Void

    /// The body as JSON, after the provider's error shapes (`errorBody`) and the status have
    /// been checked. The body is parsed once: the error shapes, the status's message and the
    /// data all read that one value.
    ///
    /// A non-2xx status with no recognised body becomes `upstream(status)` with the body's
    /// `errorMessageKey` field (or its first 200 characters) as the message.
    public static func json(
        _ response: HTTPResponse, source: SourceID, endpoint: String, errorMessageKey: String, errorBody: ErrorBodyCheck? = nil
    ) throws(ConnectorError) -> JSONValue {
        let parsed: Result<JSONValue, JSONParseError>
        do { parsed = .success(try JSONParser.parse(response.body)) } catch { parsed = .failure(error) }
        let json = try? parsed.get()
        try errorBody?(json ?? .null, response.status, source)
        guard response.isSuccess else {
            let message = json?[errorMessageKey]?.stringValue ?? String(response.bodyText.prefix(200))
            switch response.status {
            case 429: throw ConnectorError(.throttled(status: 429), source: source, "rate limited (HTTP 429: \(message))")
            case 401, 403: throw ConnectorError(.rejectedCredential, source: source, "HTTP \(response.status): \(message)")
            case 404: throw ConnectorError(.notFound, source: source, "not found (HTTP 404: \(message))")
            default: throw ConnectorError(.upstream(status: response.status), source: source, "HTTP \(response.status): \(message)")
            }
        }
        switch parsed {
        case .success(let value): return value
        case .failure(let error): throw ConnectorError(.decode, source: source, "\(endpoint): \(error)")
        }
    }

    /// The objects of an answer that is one object or an array of them (Binance's ticker and price
    /// answer one symbol with an object, several with an array): their places on the tape. An
    /// array's elements are returned whatever they are; reading one that is not an object fails there.
    public static func objects(in tape: JSONTape, context: String, source: SourceID) throws(ConnectorError) -> [JSONTape.Position] {
        let root = tape.root
        if tape.isObject(at: root) { return [root] }
        guard tape.arrayCount(at: root) != nil else {
            throw ConnectorError(.decode, source: source, "\(context): expected an object or array, got \(tape.typeName(at: root))")
        }
        return Array(tape.elements(of: root))
    }
}
