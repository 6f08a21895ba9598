import TributaryCore

/// Polygon's error answers, read from the parsed body of every response before its data:
/// `{"status": "ERROR", "error": "You've exceeded the maximum requests per minute …"}`.
/// Each becomes the typed ``ConnectorError`` it is (throttled, quota spent, key rejected, …),
/// never "no data". Shapes from ../shared/payloads and PROTOCOL-NOTES.md.
enum PolygonErrorBody {
    static func check(_ json: JSONValue, status: Int, source: SourceID) throws(ConnectorError) {
        guard case .object(let body) = json else { return }
        if let state = body["status"]?.stringValue, state == "ERROR" || state == "NOT_AUTHORIZED" {
            let message = body["error"]?.stringValue ?? body["message"]?.stringValue ?? ""
            if message.contains("exceeded the maximum requests") || status == 429 {
                throw ConnectorError(.throttled(status: 429), source: source, "rate limited (Polygon: \(message.prefix(120)))")
            }
            if state == "NOT_AUTHORIZED" || status == 401 || status == 403 {
                throw ConnectorError(.rejectedCredential, source: source, "key rejected (Polygon: \(message.prefix(120)))")
            }
            throw ConnectorError(.upstream(status: status == 200 ? 400 : status), source: source, "Polygon error: \(message.prefix(160))")
        }
    }
}
