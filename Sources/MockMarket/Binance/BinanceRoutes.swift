import Hummingbird
import TributaryCore

/// Binance Spot's market-data routes, answered in Binance's shapes and with its errors.
struct BinanceRoutes {
    let market: MockMarket

    func register(on router: Router<BasicRequestContext>) {
        router.get("/api/v3/ticker/24hr") { request, _ in ticker(request) }
    }

    /// `GET /api/v3/ticker/24hr?symbol=BTCUSDT` (object) or `?symbols=["BTCUSDT","ETHUSDT"]` (array).
    func ticker(_ request: Request) -> Response {
        let query = request.uri.queryParameters
        if let symbol = query.get("symbol") {
            guard let canonical = canonical(symbol) else { return invalidSymbol() }
            return MockJSON.response(tickerObject(venueSymbol: symbol, canonical: canonical))
        }
        if let list = query.get("symbols") {
            let decoded = list.removingPercentEncoding ?? list
            guard let array = try? JSONParser.parse(Array(decoded.utf8)).arrayValue else {
                return error(-1100, "Illegal characters found in parameter 'symbols'; legal range is '^\\[(\"[A-Z0-9-_.]{1,20}\"(,\"[A-Z0-9-_.]{1,20}\"){0,}){0,1}\\]$'.")
            }
            var items: [JSONValue] = []
            for item in array {
                guard let symbol = item.stringValue, let canonical = canonical(symbol) else { return invalidSymbol() }
                items.append(tickerObject(venueSymbol: symbol, canonical: canonical))
            }
            return MockJSON.response(.array(items))
        }
        return error(-1102, "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.")
    }

    private func canonical(_ venueSymbol: String) -> String? {
        guard venueSymbol == venueSymbol.uppercased(), venueSymbol.allSatisfy({ $0.isLetter || $0.isNumber }) else { return nil }
        return Instrument.pair(fromConcatenated: venueSymbol)
    }

    private func tickerObject(venueSymbol: String, canonical: String) -> JSONValue {
        let (last, tick) = market.prices.step(canonical)
        let now = market.clock().millisecondsSinceEpoch
        let spread = Swift.max(Int128(1), last.mantissa / 100_000)
        func price(_ mantissa: Int128) -> JSONValue { .string(ExactDecimal(mantissa: mantissa, scale: PriceModel.scale).description) }
        let open = last.mantissa - last.mantissa / 100
        let change = last.mantissa - open
        // percent with 3 decimals, as Binance writes it
        let percent = ExactDecimal(mantissa: change * 100_000 / Swift.max(1, open), scale: 3)
        let fields: [(key: String, value: JSONValue)] = [
            ("symbol", .string(venueSymbol)),
            ("priceChange", price(change)),
            ("priceChangePercent", .string(percent.description)),
            ("weightedAvgPrice", price((open + last.mantissa) / 2)),
            ("prevClosePrice", price(open)),
            ("lastPrice", price(last.mantissa)),
            ("lastQty", .string("0.01000000")),
            ("bidPrice", price(last.mantissa - spread)),
            ("bidQty", .string("1.25000000")),
            ("askPrice", price(last.mantissa)),
            ("askQty", .string("0.75000000")),
            ("openPrice", price(open)),
            ("highPrice", price(Swift.max(open, last.mantissa) + spread * 10)),
            ("lowPrice", price(Swift.min(open, last.mantissa) - spread * 10)),
            ("volume", .string("12345.67800000")),
            ("quoteVolume", price(last.mantissa * 12345)),
            ("openTime", .number(String(now - 86_400_000))),
            ("closeTime", .number(String(now))),
            ("firstId", .number("1")),
            ("lastId", .number(String(tick))),
            ("count", .number(String(tick))),
        ]
        return .object(JSONObject(fields))
    }

    private func invalidSymbol() -> Response {
        error(-1121, "Invalid symbol.")
    }

    private func error(_ code: Int, _ message: String) -> Response {
        MockJSON.response(.object(JSONObject([("code", .number(String(code))), ("msg", .string(message))])), status: .badRequest)
    }
}

import Foundation
