import TributaryCore

/// CoinGecko's error answers, read from the parsed body of every response before its data:
/// `{"status": {"error_code": 429, …}}`, sometimes with HTTP 200.
/// Each becomes the typed ``ConnectorError`` it is (throttled, quota spent, key rejected, …),
/// never "no data". Shapes from ../shared/payloads and PROTOCOL-NOTES.md.
enum CoinGeckoErrorBody {
    static func check(_ json: JSONValue, status: Int, source: SourceID) throws(ConnectorError) {
        guard case .object(let body) = json else { return }
        if let code = body["status"]?["error_code"]?.int64Value {
            let message = body["status"]?["error_message"]?.stringValue ?? ""
            if code == 429 {
                throw ConnectorError(.throttled(status: 429), source: source, "rate limited (CoinGecko: \(message.prefix(120)))")
            }
            if code == 401 || code == 403 || code == 10002 || code == 10010 {
                throw ConnectorError(.rejectedCredential, source: source, "key rejected (CoinGecko \(code): \(message.prefix(120)))")
            }
            throw ConnectorError(.upstream(status: Int(code)), source: source, "CoinGecko error \(code): \(message.prefix(160))")
        }
    }
}
