import TributaryCore

/// The bodies each provider sends when it throttles, or when it answers an error with HTTP 200,
/// taken from the samples in ../shared/payloads.
enum ProviderErrorBodies {
    static func throttle(_ source: String) -> JSONValue {
        switch source {
        case "binance": object([("code", .number("-1003")), ("msg", .string("Too many requests; current limit is 6000 request weight per 1 MINUTE."))])
        case "coingecko": object([("status", object([("error_code", .number("429")), ("error_message", .string("You've exceeded the Rate Limit."))]))])
        case "finnhub": object([("error", .string("API limit reached. Please try again later. Remaining Limit: 0"))])
        case "newsapi":
            object([("status", .string("error")), ("code", .string("rateLimited")), ("message", .string("You have made too many requests recently."))])
        case "polygon":
            object([
                ("status", .string("ERROR")),
                ("error", .string("You've exceeded the maximum requests per minute, please wait or upgrade your subscription to continue.")),
            ])
        case "twelvedata":
            object([("code", .number("429")), ("message", .string("You have run out of API credits for the current minute.")), ("status", .string("error"))])
        case "fred": object([("error_code", .number("429")), ("error_message", .string("Too Many Requests.  Exceeded Rate Limit"))])
        default: object([("message", .string("Too Many Requests"))])
        }
    }

    static func errorWith200(_ source: String) -> JSONValue {
        switch source {
        case "alphavantage":
            object([("Note", .string("Thank you for using Alpha Vantage! Our standard API call frequency is 5 calls per minute and 500 calls per day."))])
        case "kraken": object([("error", .array([.string("EAPI:Rate limit exceeded")]))])
        case "coingecko": throttle("coingecko")
        case "fmp":
            object([
                (
                    "Error Message",
                    .string("Limit Reach . Please upgrade your plan or visit our documentation for more details at https://site.financialmodelingprep.com/")
                )
            ])
        case "twelvedata": throttle("twelvedata")
        default: object([("error", .string("mock upstream error with HTTP 200"))])
        }
    }

    private static func object(_ members: [(key: String, value: JSONValue)]) -> JSONValue { .object(JSONObject(members)) }
}
