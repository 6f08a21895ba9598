import TributaryCore

/// Finnhub's error answers, read from the parsed body of every response before its data:
/// `{"error": "API limit reached. …"}` (429).
/// Each becomes the typed ``ConnectorError`` it is (throttled, quota spent, key rejected, …),
/// never "no data". Shapes from ../shared/payloads and PROTOCOL-NOTES.md.
enum FinnhubErrorBody {
    static func check(_ json: JSONValue, status: Int, source: SourceID) throws(ConnectorError) {
        guard case .object(let body) = json else { return }
        if let message = body["error"]?.stringValue {
            if status == 429 || message.lowercased().contains("limit") {
                throw ConnectorError(.throttled(status: 429), source: source, "API limit reached (Finnhub: \(message.prefix(120)))")
            }
            if status == 401 || status == 403 {
                throw ConnectorError(.rejectedCredential, source: source, "key rejected (Finnhub: \(message.prefix(120)))")
            }
            throw ConnectorError(.upstream(status: status == 200 ? 400 : status), source: source, "Finnhub error: \(message.prefix(200))")
        }
    }
}
