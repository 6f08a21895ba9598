import TributaryCore

/// Recognises error answers that providers send with HTTP 200 (or with a status whose body
/// says more than the status), so they are reported as what they are — throttling, a spent
/// quota, a rejected key, an unknown symbol — and never read as "no data".
///
/// Shapes, from ../shared/payloads and PROTOCOL-NOTES.md:
/// - Alpha Vantage: `{"Note": …}` (per-minute limit), `{"Information": …}` (daily limit or
///   premium endpoint), `{"Error Message": …}` (bad call); all with HTTP 200.
/// - Kraken: `{"error": ["EQuery:Unknown asset pair"]}` with HTTP 200 and no `result`.
/// - CoinGecko: `{"status": {"error_code": 429, …}}`, sometimes with HTTP 200.
/// - FMP: `{"Error Message": "Limit Reach …"}`.
/// - Twelve Data: `{"code": 429, "message": …, "status": "error"}`, possibly with HTTP 200.
/// - Finnhub: `{"error": "API limit reached. …"}` (429).
/// - NewsAPI: `{"status": "error", "code": "rateLimited" | "apiKeyInvalid", …}`.
/// - Polygon: `{"status": "ERROR", "error": "You've exceeded the maximum requests per minute …"}`.
/// - FRED: `{"error_code": 400, "error_message": "… api_key is not registered …"}`.
public enum UpstreamErrorBodies {
    /// Throws the error a body carries; returns quietly when the body is not an error answer.
    public static func check(_ response: HTTPResponse, source: SourceID) throws(ConnectorError) {
        guard let json = try? JSONParser.parse(response.body), case .object(let body) = json else { return }
        let status = response.status
        switch source.rawValue {
        case "alphavantage":
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
        case "kraken":
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
        case "coingecko":
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
        case "fmp":
            if let message = body["Error Message"]?.stringValue {
                if message.lowercased().contains("limit reach") {
                    throw ConnectorError(.quotaExhausted, source: source, "plan limit reached (FMP: \(message.prefix(120)))")
                }
                if message.lowercased().contains("invalid api key") {
                    throw ConnectorError(.rejectedCredential, source: source, "key rejected (FMP: \(message.prefix(120)))")
                }
                throw ConnectorError(.upstream(status: status == 200 ? 400 : status), source: source, "FMP error: \(message.prefix(200))")
            }
        case "twelvedata":
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
        case "finnhub":
            if let message = body["error"]?.stringValue {
                if status == 429 || message.lowercased().contains("limit") {
                    throw ConnectorError(.throttled(status: 429), source: source, "API limit reached (Finnhub: \(message.prefix(120)))")
                }
                if status == 401 || status == 403 {
                    throw ConnectorError(.rejectedCredential, source: source, "key rejected (Finnhub: \(message.prefix(120)))")
                }
                throw ConnectorError(.upstream(status: status == 200 ? 400 : status), source: source, "Finnhub error: \(message.prefix(200))")
            }
        case "newsapi":
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
        case "polygon":
            if let status = body["status"]?.stringValue, status == "ERROR" || status == "NOT_AUTHORIZED" {
                let message = body["error"]?.stringValue ?? body["message"]?.stringValue ?? ""
                if message.contains("exceeded the maximum requests") || response.status == 429 {
                    throw ConnectorError(.throttled(status: 429), source: source, "rate limited (Polygon: \(message.prefix(120)))")
                }
                if status == "NOT_AUTHORIZED" || response.status == 401 || response.status == 403 {
                    throw ConnectorError(.rejectedCredential, source: source, "key rejected (Polygon: \(message.prefix(120)))")
                }
                throw ConnectorError(.upstream(status: response.status == 200 ? 400 : response.status), source: source, "Polygon error: \(message.prefix(160))")
            }
        case "fred":
            if let code = body["error_code"]?.int64Value {
                let message = body["error_message"]?.stringValue ?? ""
                if message.contains("api_key") {
                    throw ConnectorError(.rejectedCredential, source: source, "key rejected (FRED \(code): \(message.prefix(160)))")
                }
                if code == 429 { throw ConnectorError(.throttled(status: 429), source: source, "rate limited (FRED: \(message.prefix(120)))") }
                throw ConnectorError(.upstream(status: Int(code)), source: source, "FRED error \(code): \(message.prefix(160))")
            }
        default:
            break
        }
    }
}
