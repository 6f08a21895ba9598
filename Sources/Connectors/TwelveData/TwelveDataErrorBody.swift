import TributaryCore

/// Twelve Data's error answers, read from the parsed body of every response before its data:
/// `{"code": 429, "message": …, "status": "error"}`, possibly with HTTP 200.
/// Each becomes the typed ``ConnectorError`` it is (throttled, quota spent, key rejected, …),
/// never "no data". Shapes from ../shared/payloads and PROTOCOL-NOTES.md.
enum TwelveDataErrorBody {
    static func check(_ json: JSONValue, status: Int, source: SourceID) throws(ConnectorError) {
        guard case .object(let body) = json else { return }
        if body["status"]?.stringValue == "error" {
            let code = body["code"]?.int64Value ?? Int64(status)
            let message = body["message"]?.stringValue ?? ""
            switch code {
            case 429: throw ConnectorError(.throttled(status: 429), source: source, "API credits spent for now (Twelve Data: \(message.prefix(120)))")
            case 401, 403: throw ConnectorError(.rejectedCredential, source: source, "key rejected (Twelve Data \(code): \(message.prefix(120)))")
            case 400: throw ConnectorError(.noData, source: source, "Twelve Data \(code): \(message.prefix(160))")
            case 404: throw ConnectorError(.notFound, source: source, "Twelve Data \(code): \(message.prefix(160))")
            default: throw ConnectorError(.upstream(status: Int(code)), source: source, "Twelve Data error \(code): \(message.prefix(160))")
            }
        }
    }
}
