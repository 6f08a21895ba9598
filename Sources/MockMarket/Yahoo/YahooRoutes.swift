import Hummingbird
import TributaryCore

/// Yahoo Finance's v8 chart and v7 quote under `/yahoo`; the quote needs a crumb, as Yahoo's does.
struct YahooRoutes {
    let market: MockMarket

    func register(on router: Router<BasicRequestContext>) {
        router.get("yahoo/v8/finance/chart/:ticker") { request, context in chart(context.parameters.get("ticker") ?? "", request) }
        router.get("yahoo/v7/finance/quote") { request, _ in quote(request) }
    }

    func chart(_ ticker: String, _ request: Request) -> Response {
        guard MockEquities.known(ticker) else {
            return MockJSON.response(
                .object(
                    JSONObject([
                        (
                            "chart",
                            .object(
                                JSONObject([
                                    ("result", .null),
                                    (
                                        "error",
                                        .object(
                                            JSONObject([("code", .string("Not Found")), ("description", .string("No data found, symbol may be delisted"))]))
                                    ),
                                ]))
                        )
                    ])), status: .notFound)
        }
        let query = request.uri.queryParameters
        let seconds: [String: Int64] = [
            "1m": 60, "2m": 120, "5m": 300, "15m": 900, "30m": 1_800, "60m": 3_600, "1h": 3_600, "90m": 5_400, "1d": 86_400, "1wk": 604_800, "1mo": 2_592_000,
        ]
        let step = (seconds[query.get("interval") ?? "1d"] ?? 86_400) * 1000
        let opens = MockBar.openTimes(now: market.clock().millisecondsSinceEpoch, interval: step, count: 20)
        var o: [JSONValue] = [], h: [JSONValue] = [], l: [JSONValue] = [], c: [JSONValue] = [], v: [JSONValue] = []
        for (i, openTime) in opens.enumerated() {
            if i == 3 {  // an interval without trades: nulls, as Yahoo sends them
                o.append(.null); h.append(.null); l.append(.null); c.append(.null); v.append(.null)
                continue
            }
            let bar = MockBar(seed: market.seed, canonical: ticker, openTimeMilliseconds: openTime)
            o.append(bar.open.jsonNumber()); h.append(bar.high.jsonNumber()); l.append(bar.low.jsonNumber()); c.append(bar.close.jsonNumber())
            v.append(.number(String(bar.trades * 1_000)))
        }
        let (last, _) = market.prices.step(ticker)
        let result = JSONValue.object(
            JSONObject([
                (
                    "meta",
                    .object(
                        JSONObject([
                            ("currency", .string("USD")), ("symbol", .string(ticker)), ("exchangeTimezoneName", .string("America/New_York")),
                            ("regularMarketPrice", last.jsonNumber()),
                        ]))
                ),
                ("timestamp", .array(opens.map { .number(String($0 / 1000)) })),
                (
                    "indicators",
                    .object(
                        JSONObject([
                            (
                                "quote",
                                .array([
                                    .object(
                                        JSONObject([("open", .array(o)), ("high", .array(h)), ("low", .array(l)), ("close", .array(c)), ("volume", .array(v))]))
                                ])
                            )
                        ]))
                ),
            ]))
        return MockJSON.response(.object(JSONObject([("chart", .object(JSONObject([("result", .array([result])), ("error", .null)])))])))
    }

    func quote(_ request: Request) -> Response {
        guard let crumb = request.uri.queryParameters.get("crumb"), !crumb.isEmpty else {
            return MockJSON.response(
                .object(
                    JSONObject([
                        (
                            "finance",
                            .object(
                                JSONObject([
                                    ("result", .null),
                                    ("error", .object(JSONObject([("code", .string("Unauthorized")), ("description", .string("Invalid Crumb"))]))),
                                ]))
                        )
                    ])), status: .unauthorized)
        }
        let symbols = (request.uri.queryParameters.get("symbols") ?? "").split(separator: ",").map(String.init).filter(MockEquities.known)
        let results = symbols.map { symbol -> JSONValue in
            let (last, _) = market.prices.step(symbol)
            return .object(
                JSONObject([
                    ("symbol", .string(symbol)), ("currency", .string("USD")), ("regularMarketPrice", last.jsonNumber(maxFractionDigits: 2)),
                    ("regularMarketTime", .number(String(market.clock().millisecondsSinceEpoch / 1000))), ("regularMarketChange", .number("1.25")),
                    ("regularMarketChangePercent", .number("0.51")), ("marketState", .string("REGULAR")),
                ]))
        }
        return MockJSON.response(.object(JSONObject([("quoteResponse", .object(JSONObject([("result", .array(results)), ("error", .null)])))])))
    }
}
