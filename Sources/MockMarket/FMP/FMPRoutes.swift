import Hummingbird
import TributaryCore

/// Financial Modeling Prep's stable `/quote` under `/fmp/stable`.
struct FMPRoutes {
    let market: MockMarket

    func register(on router: Router<BasicRequestContext>) {
        router.get("fmp/stable/quote") { request, _ in quote(request) }
    }

    func quote(_ request: Request) -> Response {
        let query = request.uri.queryParameters
        guard let key = query.get("apikey"), !key.isEmpty else {
            return MockJSON.response(
                .object(
                    JSONObject([
                        (
                            "Error Message",
                            .string(
                                "Invalid API KEY. Please retry or visit our documentation to create one FREE https://site.financialmodelingprep.com/developer/docs"
                            )
                        )
                    ])), status: .unauthorized)
        }
        let symbol = query.get("symbol") ?? ""
        guard MockEquities.known(symbol) else { return MockJSON.response(.array([])) }
        let (last, _) = market.prices.step(symbol)
        let previous = ExactDecimal(mantissa: last.mantissa - last.mantissa / 100, scale: 8)
        return MockJSON.response(
            .array([
                .object(
                    JSONObject([
                        ("symbol", .string(symbol)), ("price", last.jsonNumber(maxFractionDigits: 2)), ("changePercentage", .number("1.0101")),
                        ("change", ExactDecimal(mantissa: last.mantissa - previous.mantissa, scale: 8).jsonNumber(maxFractionDigits: 2)),
                        ("volume", .number("101865199")),
                        ("dayLow", previous.jsonNumber(maxFractionDigits: 2)),
                        ("dayHigh", ExactDecimal(mantissa: last.mantissa + last.mantissa / 200, scale: 8).jsonNumber(maxFractionDigits: 2)),
                        ("open", previous.jsonNumber(maxFractionDigits: 2)), ("previousClose", previous.jsonNumber(maxFractionDigits: 2)),
                        ("timestamp", .number(String(market.clock().millisecondsSinceEpoch / 1000))),
                    ]))
            ]))
    }
}
