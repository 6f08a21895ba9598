import Foundation
import Hummingbird
import TributaryCore

/// Alpha Vantage's `/query` under `/alphavantage`, answering by `function` as the real service does,
/// including its HTTP-200 error answers.
struct AlphaVantageRoutes {
    let market: MockMarket

    func register(on router: Router<BasicRequestContext>) {
        router.get("alphavantage/query") { request, _ in query(request) }
    }

    func query(_ request: Request) -> Response {
        let query = request.uri.queryParameters
        guard let key = query.get("apikey"), !key.isEmpty else {
            return MockJSON.response(.object(JSONObject([("Error Message", .string("the parameter apikey is invalid or missing."))])))
        }
        let symbol = query.get("symbol") ?? query.get("tickers") ?? ""
        switch query.get("function") {
        case "GLOBAL_QUOTE":
            guard MockEquities.known(symbol) else { return MockJSON.response(.object(JSONObject([("Global Quote", .object(JSONObject()))]))) }
            let (last, _) = market.prices.step(symbol)
            let day = ExchangeTime.localDate(of: market.clock(), zone: "America/New_York") ?? "2024-01-02"
            func s(_ m: Int128) -> JSONValue { .string(ExactDecimal(mantissa: m / 10_000, scale: 4).description) }
            let previous = last.mantissa - last.mantissa / 100
            return MockJSON.response(
                .object(
                    JSONObject([
                        (
                            "Global Quote",
                            .object(
                                JSONObject([
                                    ("01. symbol", .string(symbol)), ("02. open", s(previous)), ("03. high", s(last.mantissa + last.mantissa / 200)),
                                    ("04. low", s(previous - previous / 200)), ("05. price", s(last.mantissa)), ("06. volume", .string("29062853")),
                                    ("07. latest trading day", .string(day)), ("08. previous close", s(previous)), ("09. change", s(last.mantissa - previous)),
                                    ("10. change percent", .string("1.0101%")),
                                ]))
                        )
                    ])))
        case "TIME_SERIES_INTRADAY":
            let minutes: [String: Int64] = ["1min": 1, "5min": 5, "15min": 15, "30min": 30, "60min": 60]
            guard let interval = query.get("interval"), let step = minutes[interval] else {
                return MockJSON.response(
                    .object(
                        JSONObject([
                            (
                                "Error Message",
                                .string(
                                    "Invalid API call. Please retry or visit the documentation (https://www.alphavantage.co/documentation/) for TIME_SERIES_INTRADAY."
                                )
                            )
                        ])))
            }
            guard MockEquities.known(symbol) else {
                return MockJSON.response(
                    .object(
                        JSONObject([
                            (
                                "Error Message",
                                .string(
                                    "Invalid API call. Please retry or visit the documentation (https://www.alphavantage.co/documentation/) for TIME_SERIES_INTRADAY."
                                )
                            )
                        ])))
            }
            let opens = MockBar.openTimes(now: market.clock().millisecondsSinceEpoch, interval: step * 60_000, count: 100).reversed()
            let rows = opens.map { openTime -> (key: String, value: JSONValue) in
                let bar = MockBar(seed: market.seed, canonical: symbol, openTimeMilliseconds: openTime)
                let local = Self.localTime(UTCTimestamp(mockMilliseconds: openTime))
                func s(_ d: ExactDecimal) -> JSONValue { .string(ExactDecimal(mantissa: d.mantissa / 10_000, scale: 4).description) }
                return (
                    local,
                    .object(
                        JSONObject([
                            ("1. open", s(bar.open)), ("2. high", s(bar.high)), ("3. low", s(bar.low)), ("4. close", s(bar.close)),
                            ("5. volume", .string(String(bar.trades * 10))),
                        ]))
                )
            }
            return MockJSON.response(
                .object(
                    JSONObject([
                        (
                            "Meta Data",
                            .object(JSONObject([("2. Symbol", .string(symbol)), ("4. Interval", .string(interval)), ("6. Time Zone", .string("US/Eastern"))]))
                        ),
                        ("Time Series (\(interval))", .object(JSONObject(Array(rows)))),
                    ])))
        case "NEWS_SENTIMENT":
            let stamp = market.clock().rfc3339.replacingOccurrences(of: "-", with: "").replacingOccurrences(of: ":", with: "").prefix(15)
            let item = JSONValue.object(
                JSONObject([
                    ("title", .string("\(symbol) mock market story")), ("url", .string("https://example.org/mock/\(symbol.lowercased())/\(stamp)")),
                    ("time_published", .string(String(stamp))), ("summary", .string("Generated for tests and demos.")), ("source", .string("Mock Wire")),
                    ("overall_sentiment_score", .number("0.183412")), ("overall_sentiment_label", .string("Somewhat-Bullish")),
                    (
                        "ticker_sentiment",
                        .array([
                            .object(JSONObject([("ticker", .string(symbol)), ("relevance_score", .string("0.9")), ("ticker_sentiment_score", .string("0.2"))]))
                        ])
                    ),
                ]))
            return MockJSON.response(.object(JSONObject([("items", .string("1")), ("feed", .array([item]))])))
        default:
            return MockJSON.response(.object(JSONObject([("Error Message", .string("This API function does not exist."))])))
        }
    }

    /// `2024-01-02 14:56:00` in New York, as Alpha Vantage writes it.
    static func localTime(_ time: UTCTimestamp) -> String {
        let date = ExchangeTime.localDate(of: time, zone: "America/New_York") ?? ""
        guard let midnight = ExchangeTime.utc(fromLocal: date, zone: "America/New_York") else { return "" }
        let seconds = (time.millisecondsSinceEpoch - midnight.millisecondsSinceEpoch) / 1000
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(date) \(two(seconds / 3_600)):\(two(seconds / 60 % 60)):\(two(seconds % 60))"
    }
}
