import TributaryCore

/// Alpha Vantage's error answers, read from the parsed body of every response before its data:
/// `{"Note": …}` (per-minute limit), `{"Information": …}` (daily limit or premium endpoint), `{"Error Message": …}` (bad call); all with HTTP 200.
/// Each becomes the typed ``ConnectorError`` it is (throttled, quota spent, key rejected, …),
/// never "no data". Shapes from ../shared/payloads and PROTOCOL-NOTES.md.
enum AlphaVantageErrorBody {
    static func check(_ json: JSONValue, status: Int, source: SourceID) throws(ConnectorError) {
        guard case .object(let body) = json else { return }
        if let note = body["Note"]?.stringValue {
            throw ConnectorError(.throttled(status: 429), source: source, "per-minute call limit reached (Alpha Vantage Note: \(note.prefix(120)))")
        }
        if let info = body["Information"]?.stringValue {
            let lower = info.lowercased()
            if lower.contains("per day") || lower.contains("rate limit") || lower.contains("sparingly") {
                throw ConnectorError(.quotaExhausted, source: source, "daily request quota spent (Alpha Vantage Information: \(info.prefix(160)))")
            }
            throw ConnectorError(.upstream(status: status), source: source, "Alpha Vantage Information: \(info.prefix(200))")
        }
        if let message = body["Error Message"]?.stringValue {
            throw ConnectorError(.invalidArgument, source: source, "Alpha Vantage rejected the call: \(message.prefix(200))")
        }
    }
}
