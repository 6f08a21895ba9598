import Hummingbird
import TributaryCore

/// FRED's `/series/observations` under `/fred/fred` (the provider's base path is `/fred`).
struct FREDRoutes {
    let market: MockMarket

    func register(on router: Router<BasicRequestContext>) {
        router.get("fred/fred/series/observations") { request, _ in observations(request) }
    }

    func observations(_ request: Request) -> Response {
        let query = request.uri.queryParameters
        guard let key = query.get("api_key"), key.count >= 8 else {
            return error(
                400,
                "Bad Request.  The value for variable api_key is not registered.  Read https://fred.stlouisfed.org/docs/api/api_key.html for more information.")
        }
        guard let series = query.get("series_id"), !series.isEmpty else { return error(400, "Bad Request.  Variable series_id is not set.") }
        guard ["GDP", "DGS10", "UNRATE", "CPIAUCSL"].contains(series) else { return error(400, "Bad Request.  The series does not exist.") }
        // Twelve monthly observations up to last month; every fifth one missing, as FRED writes it.
        let now = market.clock()
        let year = Int(now.rfc3339.prefix(4))!, month = Int(now.rfc3339.dropFirst(5).prefix(2))!
        var items: [JSONValue] = []
        for back in (1...12).reversed() {
            var y = year, m = month - back
            while m < 1 { m += 12; y -= 1 }
            let date = "\(y)-\(m < 10 ? "0" : "")\(m)-01"
            var generator = SplitMix64(seed: market.seed ^ date.hashValueStable ^ series.hashValueStable)
            let value = back % 5 == 0 ? "." : ExactDecimal(mantissa: Int128(300 + generator.next() % 300), scale: 2).description
            items.append(
                .object(
                    JSONObject([
                        ("realtime_start", .string(String(now.rfc3339.prefix(10)))), ("realtime_end", .string(String(now.rfc3339.prefix(10)))),
                        ("date", .string(date)), ("value", .string(value)),
                    ])))
        }
        return MockJSON.response(
            .object(
                JSONObject([
                    ("units", .string("lin")), ("file_type", .string("json")), ("count", .number(String(items.count))), ("observations", .array(items)),
                ])))
    }

    private func error(_ code: Int, _ message: String) -> Response {
        MockJSON.response(.object(JSONObject([("error_code", .number(String(code))), ("error_message", .string(message))])), status: .badRequest)
    }
}
