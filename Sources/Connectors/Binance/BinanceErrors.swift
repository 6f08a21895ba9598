import TributaryCore

/// Binance's error answers: `{"code":-1121,"msg":"Invalid symbol."}` with a 4xx/5xx status.
///
/// 429 is throttling and 418 an IP ban after ignoring 429s; 451 is a region block (code 0),
/// which no retry will fix. Each becomes a typed ``ConnectorError`` that says so.
enum BinanceErrors {
    static func check(_ response: HTTPResponse, source: SourceID) throws(ConnectorError) {
        guard !response.isSuccess else { return }
        let body = try? JSONParser.parse(response.body)
        let code = body?["code"]?.int64Value
        let message = body?["msg"]?.stringValue ?? String(response.bodyText.prefix(200))
        let detail = code.map { "Binance error \($0): \(message)" } ?? "HTTP \(response.status): \(message)"
        switch response.status {
        case 429:
            throw ConnectorError(.throttled(status: 429), source: source, "rate limited (\(detail)); back off until Retry-After")
        case 418:
            throw ConnectorError(
                .throttled(status: 418), source: source, "IP banned for ignoring rate limits (\(detail)); the source is paused until Retry-After")
        case 451:
            throw ConnectorError(.upstream(status: 451), source: source, "unavailable from this region (\(detail)); use a permitted location or another source")
        case _ where code == -1022 || code == -2014 || code == -2015 || response.status == 401:
            throw ConnectorError(.rejectedCredential, source: source, "rejected credentials (\(detail)); check BINANCE_API_KEY / BINANCE_API_SECRET")
        case _ where code == -1021:
            throw ConnectorError(.invalidArgument, source: source, "request timestamp outside recvWindow (\(detail)); check this machine's clock")
        case 403:
            throw ConnectorError(.upstream(status: 403), source: source, "blocked by Binance's web application firewall (\(detail))")
        case 400 where code == -1121:
            throw ConnectorError(.noData, source: source, "unknown symbol (\(detail))")
        default:
            throw ConnectorError(.upstream(status: response.status), source: source, detail)
        }
    }
}
