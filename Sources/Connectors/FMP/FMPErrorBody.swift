import TributaryCore

/// FMP's error answers, read from the parsed body of every response before its data:
/// `{"Error Message": "Limit Reach …"}`.
/// Each becomes the typed ``ConnectorError`` it is (throttled, quota spent, key rejected, …),
/// never "no data". Shapes from ../shared/payloads and PROTOCOL-NOTES.md.
enum FMPErrorBody {
    static func check(_ json: JSONValue, status: Int, source: SourceID) throws(ConnectorError) {
        guard case .object(let body) = json else { return }
        if let message = body["Error Message"]?.stringValue {
            if message.lowercased().contains("limit reach") {
                throw ConnectorError(.quotaExhausted, source: source, "plan limit reached (FMP: \(message.prefix(120)))")
            }
            if message.lowercased().contains("invalid api key") {
                throw ConnectorError(.rejectedCredential, source: source, "key rejected (FMP: \(message.prefix(120)))")
            }
            throw ConnectorError(.upstream(status: status == 200 ? 400 : status), source: source, "FMP error: \(message.prefix(200))")
        }
    }
}
