import Hummingbird
import TributaryCore

/// Finnhub's `/quote`, `/stock/candle` and `/company-news` under `/finnhub`; the key must be
/// sent as `X-Finnhub-Token` or `token`, like the real service.
struct FinnhubRoutes {
    let market: MockMarket

    func register(on router: Router<BasicRequestContext>) {
        let group = router.group("finnhub/api/v1")
        group.get("quote") { request, _ in authorized(request) ?? quote(request) }
        group.get("stock/candle") { request, _ in authorized(request) ?? candles(request) }
        group.get("company-news") { request, _ in authorized(request) ?? news(request) }
    }

    private func authorized(_ request: Request) -> Response? {
        let token = request.headers[.init("X-Finnhub-Token")!] ?? request.uri.queryParameters.get("token")
        guard let token, !token.isEmpty else {
            return MockJSON.response(.object(JSONObject([("error", .string("Please use an API key."))])), status: .unauthorized)
        }
        return nil
    }

    func quote(_ request: Request) -> Response {
        let symbol = request.uri.queryParameters.get("symbol") ?? ""
        guard MockEquities.known(symbol) else {
            // Finnhub's answer for an unknown symbol: every field zero.
            return MockJSON.response(.object(JSONObject(["c", "h", "l", "o", "pc", "t"].map { ($0, .number("0")) } + [("d", .null), ("dp", .null)])))
        }
        let (last, _) = market.prices.step(symbol)
        let close = ExactDecimal(mantissa: last.mantissa - last.mantissa / 100, scale: 8)
        func n(_ d: ExactDecimal) -> JSONValue { d.jsonNumber(maxFractionDigits: 2) }
        return MockJSON.response(
            .object(
                JSONObject([
                    ("c", n(last)), ("d", n(ExactDecimal(mantissa: last.mantissa - close.mantissa, scale: 8))), ("dp", .number("1.01")),
                    ("h", n(ExactDecimal(mantissa: last.mantissa + last.mantissa / 200, scale: 8))),
                    ("l", n(ExactDecimal(mantissa: close.mantissa - close.mantissa / 200, scale: 8))),
                    ("o", n(close)), ("pc", n(close)), ("t", .number(String(market.clock().millisecondsSinceEpoch / 1000))),
                ])))
    }

    func candles(_ request: Request) -> Response {
        let query = request.uri.queryParameters
        let symbol = query.get("symbol") ?? ""
        let seconds: [String: Int64] = ["1": 60, "5": 300, "15": 900, "30": 1_800, "60": 3_600, "D": 86_400, "W": 604_800, "M": 2_592_000]
        guard let step = seconds[query.get("resolution") ?? ""], let from = query.get("from").flatMap({ Int64($0) }),
            let to = query.get("to").flatMap({ Int64($0) })
        else {
            return MockJSON.response(.object(JSONObject([("error", .string("Wrong resolution or range."))])), status: .unprocessableContent)
        }
        guard MockEquities.known(symbol), to >= from else { return MockJSON.response(.object(JSONObject([("s", .string("no_data"))]))) }
        var t: [JSONValue] = [], o: [JSONValue] = [], h: [JSONValue] = [], l: [JSONValue] = [], c: [JSONValue] = [], v: [JSONValue] = []
        var open = (from + step - 1) / step * step
        while open <= to, t.count < 5_000 {
            let bar = MockBar(seed: market.seed, canonical: symbol, openTimeMilliseconds: open * 1000)
            t.append(.number(String(open)))
            o.append(bar.open.jsonNumber(maxFractionDigits: 2)); h.append(bar.high.jsonNumber(maxFractionDigits: 2))
            l.append(bar.low.jsonNumber(maxFractionDigits: 2)); c.append(bar.close.jsonNumber(maxFractionDigits: 2))
            v.append(.number(String(bar.trades * 1_000)))
            open += step
        }
        return MockJSON.response(
            .object(
                JSONObject([("c", .array(c)), ("h", .array(h)), ("l", .array(l)), ("o", .array(o)), ("s", .string("ok")), ("t", .array(t)), ("v", .array(v))])))
    }

    func news(_ request: Request) -> Response {
        let symbol = request.uri.queryParameters.get("symbol") ?? ""
        guard MockEquities.known(symbol) else { return MockJSON.response(.array([])) }
        let now = market.clock().millisecondsSinceEpoch / 1000
        let items = (0..<3).map { i -> JSONValue in
            let id = Int64(127_004_320 + i) + Int64(symbol.hashValueStable % 1_000)
            return .object(
                JSONObject([
                    ("category", .string("company")), ("datetime", .number(String(now - Int64(i) * 3_600))),
                    ("headline", .string("\(symbol) mock headline \(i + 1)")), ("id", .number(String(id))), ("image", .string("")),
                    ("related", .string(symbol)), ("source", .string("Mock Wire")), ("summary", .string("A generated article for tests and demos.")),
                    ("url", .string("https://finnhub.io/api/news?id=\(id)")),
                ]))
        }
        return MockJSON.response(.array(items))
    }
}

/// The equity tickers the mock market knows.
enum MockEquities {
    static let symbols: Set<String> = ["AAPL", "MSFT", "GOOGL", "AMZN", "NVDA", "TSLA", "META", "SPY"]
    static func known(_ symbol: String) -> Bool { symbols.contains(symbol) }
}
