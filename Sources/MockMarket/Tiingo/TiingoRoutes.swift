import Hummingbird
import TributaryCore

/// Tiingo's daily and IEX price routes under `/tiingo`; `Authorization: Token …` required.
struct TiingoRoutes {
    let market: MockMarket

    func register(on router: Router<BasicRequestContext>) {
        router.get("tiingo/tiingo/daily/:ticker/prices") { request, context in denied(request) ?? daily(context.parameters.get("ticker") ?? "", request) }
        router.get("tiingo/iex/:ticker/prices") { request, context in denied(request) ?? iex(context.parameters.get("ticker") ?? "", request) }
    }

    private func denied(_ request: Request) -> Response? {
        guard MockAuth.key(request, header: "Authorization", query: "token") != nil else { return nil }
        return MockJSON.response(.object(JSONObject([("detail", .string("Please supply a token"))])), status: .unauthorized)
    }

    func daily(_ ticker: String, _ request: Request) -> Response {
        guard MockEquities.known(ticker.uppercased()) else { return notFound(ticker) }
        let query = request.uri.queryParameters
        guard let start = query.get("startDate").flatMap({ UTCTimestamp(rfc3339: $0 + "T00:00:00Z") }),
            let end = query.get("endDate").flatMap({ UTCTimestamp(rfc3339: $0 + "T00:00:00Z") })
        else { return MockJSON.response(.object(JSONObject([("detail", .string("Error: startDate and endDate must be YYYY-MM-DD"))])), status: .badRequest) }
        var rows: [JSONValue] = []
        var day = start.millisecondsSinceEpoch
        while day <= min(end.millisecondsSinceEpoch, market.clock().millisecondsSinceEpoch) {
            let weekday = (day / 86_400_000 + 4) % 7  // 0 = Sunday
            if weekday != 0 && weekday != 6 { rows.append(row(ticker.uppercased(), day, withVolume: true)) }
            day += 86_400_000
        }
        return MockJSON.response(.array(rows))
    }

    func iex(_ ticker: String, _ request: Request) -> Response {
        guard MockEquities.known(ticker.uppercased()) else { return notFound(ticker) }
        let minutes: [String: Int64] = ["1min": 1, "5min": 5, "15min": 15, "30min": 30, "1hour": 60, "4hour": 240]
        let step = minutes[request.uri.queryParameters.get("resampleFreq") ?? "30min"] ?? 30
        let rows = MockBar.openTimes(now: market.clock().millisecondsSinceEpoch, interval: step * 60_000, count: 13).map {
            row(ticker.uppercased(), $0, withVolume: false)
        }
        return MockJSON.response(.array(rows))
    }

    private func row(_ ticker: String, _ time: Int64, withVolume: Bool) -> JSONValue {
        let bar = MockBar(seed: market.seed, canonical: ticker, openTimeMilliseconds: time)
        var members: [(key: String, value: JSONValue)] = [
            ("date", .string(UTCTimestamp(mockMilliseconds: time).rfc3339)), ("close", bar.close.jsonNumber(maxFractionDigits: 2)),
            ("high", bar.high.jsonNumber(maxFractionDigits: 2)), ("low", bar.low.jsonNumber(maxFractionDigits: 2)),
            ("open", bar.open.jsonNumber(maxFractionDigits: 2)),
        ]
        if withVolume { members.append(("volume", .number(String(bar.trades * 300)))) }
        return .object(JSONObject(members))
    }

    private func notFound(_ ticker: String) -> Response {
        MockJSON.response(.object(JSONObject([("detail", .string("Error: Ticker '\(ticker)' not found"))])), status: .notFound)
    }
}
