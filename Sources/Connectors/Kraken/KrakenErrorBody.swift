import TributaryCore

/// Kraken's error answers, read from the parsed body of every response before its data:
/// `{"error": ["EQuery:Unknown asset pair"]}` with HTTP 200 and no `result`.
/// Each becomes the typed ``ConnectorError`` it is (throttled, quota spent, key rejected, …),
/// never "no data". Shapes from ../shared/payloads and PROTOCOL-NOTES.md.
enum KrakenErrorBody {
    static func check(_ json: JSONValue, status: Int, source: SourceID) throws(ConnectorError) {
        guard case .object(let body) = json else { return }
        if let errors = body["error"]?.arrayValue?.compactMap(\.stringValue), !errors.isEmpty {
            let text = errors.joined(separator: "; ")
            if errors.contains(where: { $0.hasPrefix("EAPI:Rate limit") || $0.contains("Too many requests") }) {
                throw ConnectorError(.throttled(status: 429), source: source, "rate limited (\(text))")
            }
            if errors.contains(where: { $0.hasPrefix("EQuery:Unknown asset pair") }) {
                throw ConnectorError(.noData, source: source, "unknown pair (\(text))")
            }
            if errors.contains(where: { $0.hasPrefix("EAPI:Invalid key") }) {
                throw ConnectorError(.rejectedCredential, source: source, "key rejected (\(text))")
            }
            throw ConnectorError(.upstream(status: status == 200 ? 400 : status), source: source, "Kraken error: \(text)")
        }
    }
}
