import Hummingbird
import TributaryCore

/// Kraken's public routes under `/kraken/0/public`, errors in the HTTP-200 `error` array.
struct KrakenRoutes {
    let market: MockMarket

    func register(on router: Router<BasicRequestContext>) {
        let group = router.group("kraken/0/public")
        group.get("Ticker") { request, _ in ticker(request) }
        group.get("OHLC") { request, _ in ohlc(request) }
    }

    func ticker(_ request: Request) -> Response {
        guard let pair = request.uri.queryParameters.get("pair"), let canonical = Self.canonical(pair) else { return unknownPair() }
        let (last, tick) = market.prices.step(canonical)
        let spread = max(Int128(1), last.mantissa / 100_000)
        func s(_ m: Int128) -> JSONValue { .string(ExactDecimal(mantissa: m / 1_000, scale: 5).description) }
        let entry: [(key: String, value: JSONValue)] = [
            ("a", .array([s(last.mantissa + spread), .string("1"), .string("1.000")])),
            ("b", .array([s(last.mantissa), .string("1"), .string("1.000")])),
            ("c", .array([s(last.mantissa), .string("0.00160710")])),
            ("v", .array([.string("165.16072288"), .string("598.03698452")])),
            ("p", .array([s(last.mantissa - spread * 50), s(last.mantissa - spread * 80)])),
            ("t", .array([.number(String(tick)), .number(String(tick * 3))])),
            ("l", .array([s(last.mantissa - spread * 200), s(last.mantissa - spread * 400)])),
            ("h", .array([s(last.mantissa + spread * 200), s(last.mantissa + spread * 400)])),
            ("o", s(last.mantissa - spread * 100)),
        ]
        return envelope(key: Self.resultKey(pair), .object(JSONObject(entry)))
    }

    func ohlc(_ request: Request) -> Response {
        let query = request.uri.queryParameters
        guard let pair = query.get("pair"), let canonical = Self.canonical(pair) else { return unknownPair() }
        let minutes = Int64(query.get("interval") ?? "1") ?? 0
        guard [1, 5, 15, 30, 60, 240, 1_440, 10_080, 21_600].contains(minutes) else {
            return MockJSON.response(.object(JSONObject([("error", .array([.string("EGeneral:Invalid arguments")]))])))
        }
        let interval = minutes * 60_000
        let rows = MockBar.openTimes(now: market.clock().millisecondsSinceEpoch, interval: interval, count: 720).map { openTime -> JSONValue in
            let bar = MockBar(seed: market.seed, canonical: canonical, openTimeMilliseconds: openTime)
            func s(_ d: ExactDecimal) -> JSONValue { .string(ExactDecimal(mantissa: d.mantissa / 1_000, scale: 5).description) }
            let vwap = ExactDecimal(mantissa: (bar.open.mantissa + bar.close.mantissa) / 2, scale: 8)
            return .array([
                .number(String(openTime / 1000)), s(bar.open), s(bar.high), s(bar.low), s(bar.close), s(vwap), .string(bar.volume.description),
                .number(String(bar.trades)),
            ])
        }
        let last = MockBar.openTimes(now: market.clock().millisecondsSinceEpoch, interval: interval, count: 1)[0] / 1000
        return MockJSON.response(
            .object(
                JSONObject([
                    ("error", .array([])), ("result", .object(JSONObject([(Self.resultKey(pair), .array(rows)), ("last", .number(String(last)))]))),
                ])))
    }

    /// `XBTUSDT` → `BTC-USDT`; nil for anything Kraken would call an unknown pair.
    static func canonical(_ pair: String) -> String? {
        guard pair == pair.uppercased(), pair.allSatisfy({ $0.isLetter || $0.isNumber }) else { return nil }
        return Instrument.pair(fromConcatenated: pair)
    }

    /// Kraken's own key for classic pairs (`XBTUSD` → `XXBTZUSD`); others as asked.
    static func resultKey(_ pair: String) -> String {
        let classic = ["XBTUSD": "XXBTZUSD", "XBTEUR": "XXBTZEUR", "ETHUSD": "XETHZUSD", "ETHEUR": "XETHZEUR"]
        return classic[pair] ?? pair
    }

    private func envelope(key: String, _ entry: JSONValue) -> Response {
        MockJSON.response(.object(JSONObject([("error", .array([])), ("result", .object(JSONObject([(key, entry)])))])))
    }

    private func unknownPair() -> Response {
        MockJSON.response(.object(JSONObject([("error", .array([.string("EQuery:Unknown asset pair")]))])))
    }
}
