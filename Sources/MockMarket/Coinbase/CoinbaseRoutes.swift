import Hummingbird
import TributaryCore

/// Coinbase Exchange's public product routes under `/coinbase`.
struct CoinbaseRoutes {
    let market: MockMarket

    func register(on router: Router<BasicRequestContext>) {
        let group = router.group("coinbase/products")
        group.get(":product/ticker") { _, context in ticker(context.parameters.get("product") ?? "") }
        group.get(":product/candles") { request, context in candles(context.parameters.get("product") ?? "", request) }
    }

    func ticker(_ product: String) -> Response {
        guard let pair = Instrument.split(product), product == product.uppercased() else { return notFound() }
        let canonical = "\(pair.base)-\(pair.quote)"
        let (last, tick) = market.prices.step(canonical)
        let spread = max(Int128(1), last.mantissa / 100_000)
        func s(_ m: Int128) -> JSONValue { .string(ExactDecimal(mantissa: m, scale: 8).normalized.description) }
        return MockJSON.response(
            .object(
                JSONObject([
                    ("ask", s(last.mantissa + spread)), ("bid", s(last.mantissa - spread)), ("volume", .string("1207.50668151")),
                    ("trade_id", .string(String(tick))), ("price", s(last.mantissa)), ("size", .string("0.00730812")),
                    // Coinbase writes microseconds.
                    ("time", .string(Self.microsecondTime(market.clock()))),
                ])))
    }

    /// Rows `[time, low, high, open, close, volume]`, newest first, at most 300.
    func candles(_ product: String, _ request: Request) -> Response {
        guard let pair = Instrument.split(product), product == product.uppercased() else { return notFound() }
        let query = request.uri.queryParameters
        guard let granularity = query.get("granularity").flatMap({ Int64($0) }), [60, 300, 900, 3_600, 21_600, 86_400].contains(granularity) else {
            return MockJSON.response(.object(JSONObject([("message", .string("Unsupported granularity"))])), status: .badRequest)
        }
        let canonical = "\(pair.base)-\(pair.quote)"
        let interval = granularity * 1000
        let rows = MockBar.openTimes(now: market.clock().millisecondsSinceEpoch, interval: interval, count: 300).reversed().map { openTime -> JSONValue in
            let bar = MockBar(seed: market.seed, canonical: canonical, openTimeMilliseconds: openTime)
            return .array([
                .number(String(openTime / 1000)), bar.low.jsonNumber(), bar.high.jsonNumber(), bar.open.jsonNumber(), bar.close.jsonNumber(),
                bar.volume.jsonNumber(),
            ])
        }
        return MockJSON.response(.array(Array(rows)))
    }

    static func microsecondTime(_ time: UTCTimestamp) -> String {
        let text = time.rfc3339
        let micros = (time.nanosecondsSinceEpoch / 1_000) % 1_000
        let digits = String(micros)
        return String(text.dropLast()) + String(repeating: "0", count: 3 - digits.count) + digits + "Z"
    }

    private func notFound() -> Response {
        MockJSON.response(.object(JSONObject([("message", .string("NotFound"))])), status: .notFound)
    }
}
