import Foundation
import Hummingbird
import TributaryCore

/// Binance Spot's routes under `/binance`, answered in Binance's shapes and with its errors.
struct BinanceRoutes {
    let market: MockMarket

    func register(on router: Router<BasicRequestContext>) {
        let group = router.group("binance/api/v3")
        group.get("ticker/24hr") { request, _ in ticker(request) }
        group.get("ticker/price") { request, _ in price(request) }
        group.get("klines") { request, _ in klines(request) }
        group.get("aggTrades") { request, _ in aggTrades(request) }
        group.get("depth") { request, _ in depth(request) }
        group.get("account") { request, _ in account(request) }
    }

    /// Pairs listed when a call names no symbol.
    static let listedSymbols = ["BTCUSDT", "ETHUSDT", "BNBUSDT", "SOLUSDT", "ETHBTC"]

    // MARK: Market data

    /// `?symbol=BTCUSDT` (object) or `?symbols=["BTCUSDT","ETHUSDT"]` (array).
    func ticker(_ request: Request) -> Response {
        switch symbols(request, required: true) {
        case .failure(let failure): return failure.response
        case .success(let (list, single)):
            let items = list.map { tickerObject(venueSymbol: $0.venue, canonical: $0.canonical) }
            return MockJSON.response(single ? items[0] : .array(items))
        }
    }

    func price(_ request: Request) -> Response {
        switch symbols(request, required: false) {
        case .failure(let failure): return failure.response
        case .success(let (list, single)):
            let items = list.map { symbol -> JSONValue in
                let (last, _) = market.prices.step(symbol.canonical)
                return .object(JSONObject([("symbol", .string(symbol.venue)), ("price", .string(last.description))]))
            }
            return MockJSON.response(single ? items[0] : .array(items))
        }
    }

    /// Bars ending at now, aligned to the interval; each bar's prices come from a generator
    /// seeded with (seed, symbol, open time), so the same bar is the same on every call.
    func klines(_ request: Request) -> Response {
        let query = request.uri.queryParameters
        guard let venue = query.get("symbol"), let canonical = canonical(venue) else { return invalidSymbol() }
        let intervalText = query.get("interval") ?? ""
        guard let interval = Self.intervalMilliseconds[intervalText] else { return error(-1120, "Invalid interval.") }
        let limit = min(1_000, max(1, Int(query.get("limit") ?? "500") ?? 500))
        let now = market.clock().millisecondsSinceEpoch
        var end = (now / interval) * interval
        if let endTime = query.get("endTime").flatMap({ Int64($0) }) { end = min(end, (endTime / interval) * interval) }
        var start = end - Int64(limit - 1) * interval
        if let startTime = query.get("startTime").flatMap({ Int64($0) }) { start = max(start, (startTime + interval - 1) / interval * interval) }
        var rows: [JSONValue] = []
        var openTime = start
        while openTime <= end, rows.count < limit {
            rows.append(klineRow(canonical: canonical, openTime: openTime, interval: interval))
            openTime += interval
        }
        return MockJSON.response(.array(rows))
    }

    /// Aggregate trades that add up to the 1m klines: each minute's bar becomes
    /// ``MockAggTrades/perMinute`` trades opening at its open, closing at its close, touching its
    /// high and low, their quantities summing to its volume; ids run without holes.
    func aggTrades(_ request: Request) -> Response {
        let query = request.uri.queryParameters
        guard let venue = query.get("symbol"), let canonical = canonical(venue) else { return invalidSymbol() }
        let limit = min(1_000, max(1, Int(query.get("limit") ?? "500") ?? 500))
        let now = market.clock().millisecondsSinceEpoch
        let startTime = query.get("startTime").flatMap { Int64($0) }, endTime = query.get("endTime").flatMap { Int64($0) }
        // Times outside 1970…2100 are refused (so no arithmetic below can overflow), as Binance refuses nonsense.
        let valid: ClosedRange<Int64> = 0...4_102_444_800_000
        for time in [startTime, endTime].compactMap({ $0 }) where !valid.contains(time) {
            return error(-1100, "Illegal characters found in parameter 'startTime' or 'endTime'; legal range is '\(valid)'.")
        }
        if let startTime, let endTime, endTime - startTime > 3_600_000 { return error(-1127, "More than 1 hours between startTime and endTime.") }
        let end = min(now, endTime ?? (startTime.map { $0 + 3_600_000 } ?? now))
        let start = startTime ?? max(0, end - Int64(limit / MockAggTrades.perMinute + 1) * 60_000)
        var trades: [JSONValue] = []
        var minute = start / 60_000 * 60_000
        while minute <= end {
            let bar = MockBar(seed: market.seed, canonical: canonical, openTimeMilliseconds: minute)
            trades += MockAggTrades.trades(of: bar, openTime: minute).filter { $0.time >= start && $0.time <= end }.map(\.json)
            minute += 60_000
        }
        // With no start, the most recent ones; with a start, the first ones after it (Binance's rules).
        return MockJSON.response(.array(startTime == nil ? Array(trades.suffix(limit)) : Array(trades.prefix(limit))))
    }

    func depth(_ request: Request) -> Response {
        let query = request.uri.queryParameters
        guard let venue = query.get("symbol"), let canonical = canonical(venue) else { return invalidSymbol() }
        let limit = min(5_000, max(1, Int(query.get("limit") ?? "100") ?? 100))
        let (last, tick) = market.prices.step(canonical)
        let tickSize = max(Int128(1), last.mantissa / 100_000)
        var generator = SplitMix64(seed: market.seed ^ UInt64(truncatingIfNeeded: tick))
        func side(_ direction: Int128) -> JSONValue {
            .array(
                (0..<min(limit, 50)).map { level -> JSONValue in
                    let price = last.mantissa + direction * tickSize * Int128(level + 1)
                    let size = Int128(generator.next() % 500_000_000) + 1_000_000
                    return .array([.string(ExactDecimal(mantissa: price, scale: 8).description), .string(ExactDecimal(mantissa: size, scale: 8).description)])
                })
        }
        return MockJSON.response(
            .object(
                JSONObject([
                    ("lastUpdateId", .number(String(tick))), ("bids", side(-1)), ("asks", side(1)),
                ])))
    }

    // MARK: Signed

    /// `GET /api/v3/account`: checks the key header, the HMAC-SHA256 signature over the query
    /// string and the timestamp window, as Binance does, then returns a fixed portfolio.
    func account(_ request: Request) -> Response {
        guard let credentials = market.binanceCredentials else {
            return error(-2015, "Invalid API-key, IP, or permissions for action.", status: .unauthorized)
        }
        guard request.headers[.init("X-MBX-APIKEY")!] == credentials.apiKey else {
            return error(-2015, "Invalid API-key, IP, or permissions for action.", status: .unauthorized)
        }
        let raw = request.uri.query ?? ""
        guard let range = raw.range(of: "&signature=") else {
            return error(-1102, "Mandatory parameter 'signature' was not sent, was empty/null, or malformed.")
        }
        let payload = String(raw[..<range.lowerBound])
        let signature = String(raw[range.upperBound...]).lowercased()
        let expected = HMACSignature.sha256Hex(key: credentials.secret, message: payload)
        guard HMACSignature.constantTimeEquals(Array(signature.utf8), Array(expected.utf8)) else {
            return error(-1022, "Signature for this request is not valid.")
        }
        let query = request.uri.queryParameters
        let window = Int64(query.get("recvWindow") ?? "5000") ?? 5_000
        guard let timestamp = query.get("timestamp").flatMap({ Int64($0) }) else {
            return error(-1102, "Mandatory parameter 'timestamp' was not sent, was empty/null, or malformed.")
        }
        let now = market.clock().millisecondsSinceEpoch
        guard timestamp < now + 1_000, now - timestamp <= window else {
            return error(-1021, "Timestamp for this request is outside of the recvWindow.")
        }
        let balances: [JSONValue] = [("BTC", "0.52100000", "0.01000000"), ("USDT", "12500.00000000", "250.00000000"), ("ETH", "3.75000000", "0.00000000")]
            .map { .object(JSONObject([("asset", .string($0.0)), ("free", .string($0.1)), ("locked", .string($0.2))])) }
        return MockJSON.response(
            .object(
                JSONObject([
                    ("makerCommission", .number("15")), ("takerCommission", .number("15")), ("canTrade", .bool(true)),
                    ("updateTime", .number(String(now))), ("accountType", .string("SPOT")), ("balances", .array(balances)),
                    ("permissions", .array([.string("SPOT")])),
                ])))
    }

    // MARK: Helpers

    static let intervalMilliseconds: [String: Int64] = [
        "1s": 1_000, "1m": 60_000, "3m": 180_000, "5m": 300_000, "15m": 900_000, "30m": 1_800_000, "1h": 3_600_000,
        "2h": 7_200_000, "4h": 14_400_000, "6h": 21_600_000, "8h": 28_800_000, "12h": 43_200_000, "1d": 86_400_000,
        "3d": 259_200_000, "1w": 604_800_000, "1M": 2_592_000_000,
    ]

    private func klineRow(canonical: String, openTime: Int64, interval: Int64) -> JSONValue {
        let bar = MockBar(seed: market.seed, canonical: canonical, openTimeMilliseconds: openTime)
        func d(_ value: ExactDecimal) -> JSONValue { .string(value.description) }
        let quoteVolume = ExactDecimal(mantissa: bar.volume.mantissa * bar.close.mantissa / 100_000_000, scale: MockBar.scale)
        return .array([
            .number(String(openTime)), d(bar.open), d(bar.high), d(bar.low), d(bar.close), d(bar.volume), .number(String(openTime + interval - 1)),
            d(quoteVolume), .number(String(bar.trades)), d(ExactDecimal(mantissa: bar.volume.mantissa / 2, scale: MockBar.scale)),
            d(ExactDecimal(mantissa: quoteVolume.mantissa / 2, scale: MockBar.scale)), .string("0"),
        ])
    }

    private func symbols(_ request: Request, required: Bool) -> Result<([(venue: String, canonical: String)], Bool), ResponseFailure> {
        let query = request.uri.queryParameters
        if let symbol = query.get("symbol") {
            guard let canonical = canonical(symbol) else { return .failure(ResponseFailure(invalidSymbol())) }
            return .success(([(symbol, canonical)], true))
        }
        if let list = query.get("symbols") {
            let decoded = list.removingPercentEncoding ?? list
            guard let array = try? JSONParser.parse(Array(decoded.utf8)).arrayValue else {
                return .failure(ResponseFailure(error(-1100, "Illegal characters found in parameter 'symbols'.")))
            }
            var items: [(venue: String, canonical: String)] = []
            for item in array {
                guard let symbol = item.stringValue, let canonical = canonical(symbol) else { return .failure(ResponseFailure(invalidSymbol())) }
                items.append((symbol, canonical))
            }
            return .success((items, false))
        }
        if required { return .failure(ResponseFailure(error(-1102, "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed."))) }
        return .success((Self.listedSymbols.compactMap { s in canonical(s).map { (s, $0) } }, false))
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
        let percent = ExactDecimal(mantissa: change * 100_000 / Swift.max(1, open), scale: 3)
        let fields: [(key: String, value: JSONValue)] = [
            ("symbol", .string(venueSymbol)), ("priceChange", price(change)), ("priceChangePercent", .string(percent.description)),
            ("weightedAvgPrice", price((open + last.mantissa) / 2)), ("prevClosePrice", price(open)), ("lastPrice", price(last.mantissa)),
            ("lastQty", .string("0.01000000")), ("bidPrice", price(last.mantissa - spread)), ("bidQty", .string("1.25000000")),
            ("askPrice", price(last.mantissa)), ("askQty", .string("0.75000000")), ("openPrice", price(open)),
            ("highPrice", price(Swift.max(open, last.mantissa) + spread * 10)), ("lowPrice", price(Swift.min(open, last.mantissa) - spread * 10)),
            ("volume", .string("12345.67800000")), ("quoteVolume", price(last.mantissa * 12345)),
            ("openTime", .number(String(now - 86_400_000))), ("closeTime", .number(String(now))),
            ("firstId", .number("1")), ("lastId", .number(String(tick))), ("count", .number(String(tick))),
        ]
        return .object(JSONObject(fields))
    }

    private func invalidSymbol() -> Response {
        error(-1121, "Invalid symbol.")
    }

    private func error(_ code: Int, _ message: String, status: HTTPResponse.Status = .badRequest) -> Response {
        MockJSON.response(.object(JSONObject([("code", .number(String(code))), ("msg", .string(message))])), status: status)
    }
}

/// A prepared error response carried through a `Result`.
struct ResponseFailure: Error {
    let response: Response
    init(_ response: Response) { self.response = response }
}
