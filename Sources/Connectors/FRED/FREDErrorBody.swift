import TributaryCore

/// FRED's error answers, read from the parsed body of every response before its data:
/// `{"error_code": 400, "error_message": "… api_key is not registered …"}`.
/// Each becomes the typed ``ConnectorError`` it is (throttled, quota spent, key rejected, …),
/// never "no data". Shapes from ../shared/payloads and PROTOCOL-NOTES.md.
enum FREDErrorBody {
    static func check(_ json: JSONValue, status: Int, source: SourceID) throws(ConnectorError) {
        guard case .object(let body) = json else { return }
        if let code = body["error_code"]?.int64Value {
            let message = body["error_message"]?.stringValue ?? ""
            if message.contains("api_key") {
                throw ConnectorError(.rejectedCredential, source: source, "key rejected (FRED \(code): \(message.prefix(160)))")
            }
            if code == 429 { throw ConnectorError(.throttled(status: 429), source: source, "rate limited (FRED: \(message.prefix(120)))") }
            throw ConnectorError(.upstream(status: Int(code)), source: source, "FRED error \(code): \(message.prefix(160))")
        }
    }
}
