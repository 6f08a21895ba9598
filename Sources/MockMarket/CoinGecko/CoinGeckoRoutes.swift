import Hummingbird
import TributaryCore

/// CoinGecko's `/simple/price` and `/coins/markets` under `/coingecko/api/v3`.
struct CoinGeckoRoutes {
    let market: MockMarket

    static let coins: [(id: String, symbol: String, name: String)] = [
        ("bitcoin", "btc", "Bitcoin"), ("ethereum", "eth", "Ethereum"), ("tether", "usdt", "Tether"), ("binancecoin", "bnb", "BNB"),
        ("solana", "sol", "Solana"), ("dogecoin", "doge", "Dogecoin"),
    ]

    func register(on router: Router<BasicRequestContext>) {
        let group = router.group("coingecko/api/v3")
        group.get("simple/price") { request, _ in price(request) }
        group.get("coins/markets") { request, _ in markets(request) }
    }

    func price(_ request: Request) -> Response {
        let query = request.uri.queryParameters
        let ids = (query.get("ids") ?? "").split(separator: ",").map(String.init)
        let vs = (query.get("vs_currencies") ?? "usd").lowercased()
        guard !ids.isEmpty else { return error("Missing parameter ids") }
        let now = market.clock().millisecondsSinceEpoch / 1000
        var members: [(key: String, value: JSONValue)] = []
        for id in ids {
            guard let coin = Self.coins.first(where: { $0.id == id }) else { continue }  // CoinGecko omits unknown ids
            let (last, _) = market.prices.step(coin.symbol.uppercased() + "-USD")
            members.append(
                (
                    id,
                    .object(
                        JSONObject([
                            (vs, last.jsonNumber(maxFractionDigits: 10)),
                            ("\(vs)_market_cap", ExactDecimal(mantissa: last.mantissa * 19_000_000, scale: 8).jsonNumber(maxFractionDigits: 2)),
                            ("\(vs)_24h_vol", .number("31260929299.5248")), ("\(vs)_24h_change", .number("3.63727894677354")),
                            ("last_updated_at", .number(String(now - 30))),
                        ]))
                ))
        }
        return MockJSON.response(.object(JSONObject(members)))
    }

    func markets(_ request: Request) -> Response {
        let query = request.uri.queryParameters
        let vs = (query.get("vs_currency") ?? "").lowercased()
        guard !vs.isEmpty else { return error("Missing parameter vs_currency") }
        let wanted = query.get("ids").map { Set($0.split(separator: ",").map(String.init)) }
        let updated = UTCTimestamp(mockMilliseconds: market.clock().millisecondsSinceEpoch - 20_000).rfc3339
        let rows = Self.coins.filter { wanted?.contains($0.id) ?? true }.enumerated().map { (rank, coin) -> JSONValue in
            let (last, _) = market.prices.step(coin.symbol.uppercased() + "-USD")
            let swing = max(Int128(1), last.mantissa / 40)
            return .object(
                JSONObject([
                    ("id", .string(coin.id)), ("symbol", .string(coin.symbol)), ("name", .string(coin.name)),
                    ("current_price", last.jsonNumber(maxFractionDigits: 6)), ("market_cap_rank", .number(String(rank + 1))),
                    ("total_volume", .number("43631967321")),
                    ("high_24h", ExactDecimal(mantissa: last.mantissa + swing, scale: 8).jsonNumber(maxFractionDigits: 6)),
                    ("low_24h", ExactDecimal(mantissa: last.mantissa - swing, scale: 8).jsonNumber(maxFractionDigits: 6)),
                    ("price_change_24h", ExactDecimal(mantissa: -swing / 2, scale: 8).jsonNumber(maxFractionDigits: 6)),
                    ("price_change_percentage_24h", .number("-1.25")), ("roi", .null), ("last_updated", .string(updated)),
                ]))
        }
        return MockJSON.response(.array(rows))
    }

    private func error(_ message: String) -> Response {
        MockJSON.response(.object(JSONObject([("error", .string(message))])), status: .badRequest)
    }
}
