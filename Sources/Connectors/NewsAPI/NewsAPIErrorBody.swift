import TributaryCore

/// NewsAPI's error answers, read from the parsed body of every response before its data:
/// `{"status": "error", "code": "rateLimited" | "apiKeyInvalid", …}`.
/// Each becomes the typed ``ConnectorError`` it is (throttled, quota spent, key rejected, …),
/// never "no data". Shapes from ../shared/payloads and PROTOCOL-NOTES.md.
enum NewsAPIErrorBody {
    static func check(_ json: JSONValue, status: Int, source: SourceID) throws(ConnectorError) {
        guard case .object(let body) = json else { return }
        if body["status"]?.stringValue == "error" {
            let code = body["code"]?.stringValue ?? ""
            let message = body["message"]?.stringValue ?? ""
            switch code {
            case "rateLimited":
                throw ConnectorError(.quotaExhausted, source: source, "request allowance spent (NewsAPI rateLimited: \(message.prefix(140)))")
            case "apiKeyInvalid", "apiKeyDisabled", "apiKeyExhausted", "apiKeyMissing":
                throw ConnectorError(.rejectedCredential, source: source, "key rejected (NewsAPI \(code): \(message.prefix(120)))")
            default:
                throw ConnectorError(.upstream(status: status == 200 ? 400 : status), source: source, "NewsAPI \(code): \(message.prefix(160))")
            }
        }
    }
}
