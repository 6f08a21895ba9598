import Hummingbird
import TributaryCore

/// Twelve Data's `/quote` and `/time_series` under `/twelvedata`; errors with HTTP 200 as Twelve Data sends them.
struct TwelveDataRoutes {
    let market: MockMarket

    func register(on router: Router<BasicRequestContext>) {
        router.get("twelvedata/quote") { request, _ in MockAuth.key(request, header: "Authorization", query: "apikey").map(error(401)) ?? quote(request) }
        router.get("twelvedata/time_series") { request, _ in MockAuth.key(request, header: "Authorization", query: "apikey").map(error(401)) ?? series(request)
        }
    }

    func error(_ code: Int) -> (String) -> Response {
        { message in MockJSON.response(.object(JSONObject([("code", .number(String(code))), ("message", .string(message)), ("status", .string("error"))]))) }
    }

    func quote(_ request: Request) -> Response {
        let symbol = request.uri.queryParameters.get("symbol") ?? ""
        guard MockEquities.known(symbol) else {
            return error(404)("**symbol** not found: \(symbol). Please specify it correctly according to API Documentation.")
        }
        let (last, _) = market.prices.step(symbol)
        func s(_ m: Int128) -> JSONValue { .string(ExactDecimal(mantissa: m / 1_000, scale: 5).description) }
        let previous = last.mantissa - last.mantissa / 100
        return MockJSON.response(
            .object(
                JSONObject([
                    ("symbol", .string(symbol)), ("currency", .string("USD")), ("datetime", .string(String(market.clock().rfc3339.prefix(10)))),
                    ("timestamp", .number(String(market.clock().millisecondsSinceEpoch / 1000))), ("open", s(previous)),
                    ("high", s(last.mantissa + last.mantissa / 200)),
                    ("low", s(previous - previous / 200)), ("close", s(last.mantissa)), ("volume", .string("107547900")), ("previous_close", s(previous)),
                    ("change", s(last.mantissa - previous)), ("percent_change", .string("1.01010")), ("is_market_open", .bool(false)),
                ])))
    }

    func series(_ request: Request) -> Response {
        let query = request.uri.queryParameters
        let symbol = query.get("symbol") ?? ""
        let minutes: [String: Int64] = [
            "1min": 1, "5min": 5, "15min": 15, "30min": 30, "45min": 45, "1h": 60, "2h": 120, "4h": 240, "1day": 1_440, "1week": 10_080, "1month": 43_200,
        ]
        guard let step = minutes[query.get("interval") ?? ""] else { return error(400)("**interval** is not supported.") }
        guard MockEquities.known(symbol) else { return error(404)("**symbol** not found: \(symbol).") }
        let count = min(5_000, max(1, Int(query.get("outputsize") ?? "30") ?? 30))
        let values = MockBar.openTimes(now: market.clock().millisecondsSinceEpoch, interval: step * 60_000, count: count).reversed().map {
            openTime -> JSONValue in
            let bar = MockBar(seed: market.seed, canonical: symbol, openTimeMilliseconds: openTime)
            func s(_ d: ExactDecimal) -> JSONValue { .string(ExactDecimal(mantissa: d.mantissa / 1_000, scale: 5).description) }
            return .object(
                JSONObject([
                    ("datetime", .string(AlphaVantageRoutes.localTime(UTCTimestamp(mockMilliseconds: openTime)))), ("open", s(bar.open)), ("high", s(bar.high)),
                    ("low", s(bar.low)), ("close", s(bar.close)), ("volume", .string(String(bar.trades * 50))),
                ]))
        }
        return MockJSON.response(
            .object(
                JSONObject([
                    (
                        "meta",
                        .object(
                            JSONObject([
                                ("symbol", .string(symbol)), ("interval", .string(query.get("interval")!)), ("exchange_timezone", .string("America/New_York")),
                            ]))
                    ),
                    ("values", .array(Array(values))), ("status", .string("ok")),
                ])))
    }
}

/// Checks that a key was sent where the provider expects it; returns the refusal text if not.
enum MockAuth {
    static func key(_ request: Request, header: String, query: String?) -> String? {
        let fromHeader = request.headers[.init(header)!].map { value -> String in
            let parts = value.split(separator: " ", maxSplits: 1)
            return parts.count == 2 ? String(parts[1]) : value
        }
        let fromQuery = query.flatMap { request.uri.queryParameters.get($0) }
        if let key = fromHeader ?? fromQuery, !key.isEmpty { return nil }
        return "an API key is required"
    }
}
