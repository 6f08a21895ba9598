import Hummingbird
import TributaryCore

/// Polygon's aggregates and last-trade routes under `/polygon`; a Bearer key or `apiKey` is required.
struct PolygonRoutes {
    let market: MockMarket

    func register(on router: Router<BasicRequestContext>) {
        let group = router.group("polygon/v2")
        group.get("aggs/ticker/:ticker/range/:multiplier/:timespan/:from/:to") { request, context in
            authorized(request) ?? aggs(context.parameters)
        }
        group.get("aggs/ticker/:ticker/prev") { request, context in authorized(request) ?? prev(context.parameters.get("ticker") ?? "") }
        group.get("last/trade/:ticker") { request, context in authorized(request) ?? lastTrade(context.parameters.get("ticker") ?? "") }
    }

    private func authorized(_ request: Request) -> Response? {
        let bearer = request.headers[.authorization].map { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : "" }
        guard let key = bearer ?? request.uri.queryParameters.get("apiKey"), !key.isEmpty else {
            return MockJSON.response(
                .object(JSONObject([("status", .string("ERROR")), ("error", .string("API Key was not provided"))])), status: .unauthorized)
        }
        return nil
    }

    func aggs(_ parameters: Parameters) -> Response {
        let ticker = parameters.get("ticker") ?? ""
        let seconds: [String: Int64] = ["minute": 60, "hour": 3_600, "day": 86_400, "week": 604_800, "month": 2_592_000]
        guard let unit = seconds[parameters.get("timespan") ?? ""], let multiplier = parameters.get("multiplier").flatMap({ Int64($0) }), multiplier > 0,
            let from = parameters.get("from").flatMap({ ExchangeTime.utc(fromLocal: $0, zone: "America/New_York") }),
            let to = parameters.get("to").flatMap({ ExchangeTime.utc(fromLocal: $0, zone: "America/New_York") })
        else {
            return MockJSON.response(
                .object(JSONObject([("status", .string("ERROR")), ("error", .string("Could not parse the range."))])), status: .badRequest)
        }
        guard MockEquities.known(ticker) else { return MockJSON.response(results(ticker, [])) }
        let step = unit * multiplier * 1000
        let end = min(to.millisecondsSinceEpoch + 86_400_000, market.clock().millisecondsSinceEpoch)
        var rows: [JSONValue] = []
        var t = from.millisecondsSinceEpoch
        while t < end, rows.count < 50_000 {
            rows.append(barObject(ticker: ticker, time: t, includeTicker: false))
            t += step
        }
        return MockJSON.response(results(ticker, rows))
    }

    func prev(_ ticker: String) -> Response {
        guard MockEquities.known(ticker) else { return MockJSON.response(results(ticker, [])) }
        let now = market.clock()
        let yesterday = UTCTimestamp(mockMilliseconds: now.millisecondsSinceEpoch - 86_400_000)
        let day = ExchangeTime.localDate(of: yesterday, zone: "America/New_York") ?? String(yesterday.rfc3339.prefix(10))
        let close = ExchangeTime.utc(fromLocal: day + " 16:00:00", zone: "America/New_York") ?? yesterday
        return MockJSON.response(results(ticker, [barObject(ticker: ticker, time: close.millisecondsSinceEpoch, includeTicker: true)]))
    }

    func lastTrade(_ ticker: String) -> Response {
        guard MockEquities.known(ticker) else {
            return MockJSON.response(.object(JSONObject([("status", .string("NOT_FOUND")), ("message", .string("Data not found."))])), status: .notFound)
        }
        let (last, tick) = market.prices.step(ticker)
        let nanos = market.clock().nanosecondsSinceEpoch
        return MockJSON.response(
            .object(
                JSONObject([
                    (
                        "results",
                        .object(
                            JSONObject([
                                ("c", .array([.number("12"), .number("37")])), ("i", .string(String(tick))), ("p", last.jsonNumber(maxFractionDigits: 2)),
                                ("s", .number("100")), ("x", .number("4")), ("T", .string(ticker)), ("t", .number(String(nanos))),
                                ("y", .number(String(nanos - 2_000_000))),
                            ]))
                    ),
                    ("status", .string("OK")), ("request_id", .string("mock-\(tick)")),
                ])))
    }

    private func barObject(ticker: String, time: Int64, includeTicker: Bool) -> JSONValue {
        let bar = MockBar(seed: market.seed, canonical: ticker, openTimeMilliseconds: time)
        var members: [(key: String, value: JSONValue)] = includeTicker ? [("T", .string(ticker))] : []
        members += [
            ("v", .number("\(bar.trades * 10_000).0")),
            ("vw", ExactDecimal(mantissa: (bar.open.mantissa + bar.close.mantissa) / 2, scale: 8).jsonNumber(maxFractionDigits: 4)),
            ("o", bar.open.jsonNumber(maxFractionDigits: 4)), ("c", bar.close.jsonNumber(maxFractionDigits: 4)),
            ("h", bar.high.jsonNumber(maxFractionDigits: 4)),
            ("l", bar.low.jsonNumber(maxFractionDigits: 4)), ("t", .number(String(time))), ("n", .number(String(bar.trades))),
        ]
        return .object(JSONObject(members))
    }

    private func results(_ ticker: String, _ rows: [JSONValue]) -> JSONValue {
        .object(
            JSONObject([
                ("ticker", .string(ticker)), ("queryCount", .number(String(rows.count))), ("resultsCount", .number(String(rows.count))),
                ("adjusted", .bool(true)), ("results", .array(rows)), ("status", .string("OK")), ("request_id", .string("mock")),
                ("count", .number(String(rows.count))),
            ]))
    }
}
