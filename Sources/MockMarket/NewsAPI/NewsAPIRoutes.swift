import Hummingbird
import TributaryCore

/// NewsAPI's `/top-headlines` and `/everything` under `/newsapi/v2`; `X-Api-Key` required.
struct NewsAPIRoutes {
    let market: MockMarket

    func register(on router: Router<BasicRequestContext>) {
        router.get("newsapi/v2/top-headlines") { request, _ in denied(request) ?? articles(request, count: 5) }
        router.get("newsapi/v2/everything") { request, _ in
            guard request.uri.queryParameters.get("q") != nil else {
                return error(
                    .badRequest, "parametersMissing",
                    "Required parameters are missing. Please set any of the following parameters and try again: q, qInTitle, sources, domains.")
            }
            return denied(request) ?? articles(request, count: 10)
        }
    }

    private func denied(_ request: Request) -> Response? {
        guard MockAuth.key(request, header: "X-Api-Key", query: "apiKey") != nil else { return nil }
        return error(.unauthorized, "apiKeyMissing", "Your API key is missing. Append this to the URL with the apiKey param, or use the x-api-key HTTP header.")
    }

    private func articles(_ request: Request, count: Int) -> Response {
        let topic = request.uri.queryParameters.get("q") ?? request.uri.queryParameters.get("country") ?? "us"
        let now = market.clock().millisecondsSinceEpoch
        let items = (0..<count).map { i -> JSONValue in
            .object(
                JSONObject([
                    ("source", .object(JSONObject([("id", .null), ("name", .string("Mock Wire"))]))), ("author", i % 2 == 0 ? .string("Staff") : .null),
                    ("title", .string("\(topic): mock headline \(i + 1)")), ("description", .string("Generated for tests and demos.")),
                    ("url", .string("https://example.org/news/\(topic.hashValueStable % 100_000)/\(i)")), ("urlToImage", .null),
                    ("publishedAt", .string(String(UTCTimestamp(mockMilliseconds: now - Int64(i) * 600_000).rfc3339.prefix(19)) + "Z")),
                    ("content", .string("")),
                ]))
        }
        return MockJSON.response(.object(JSONObject([("status", .string("ok")), ("totalResults", .number(String(count * 7))), ("articles", .array(items))])))
    }

    private func error(_ status: HTTPResponse.Status, _ code: String, _ message: String) -> Response {
        MockJSON.response(.object(JSONObject([("status", .string("error")), ("code", .string(code)), ("message", .string(message))])), status: status)
    }
}
