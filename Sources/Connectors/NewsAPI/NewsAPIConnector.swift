import Foundation
import TributaryCore

/// NewsAPI (`https://newsapi.org/v2`), keyed by `NEWSAPI_API_KEY` (header `X-Api-Key`).
///
/// Endpoints: `headlines` (`/top-headlines`; `--symbol` is a search term or `--param
/// country=us`) and `everything` (`/everything?q=`). Articles have no id, so the URL is the
/// key; `source.id` is often null, the source name is kept as publisher.
public struct NewsAPIConnector: KeyedConnector {
    public let id: SourceID = "newsapi"
    public var access: SourceAccess
    public static let defaultAccess = SourceAccess(
        baseURL: "https://newsapi.org/v2", keyVariable: "NEWSAPI_API_KEY", connectTimeout: .seconds(2), totalTimeout: .seconds(10))

    public init(access: SourceAccess) {
        self.access = access
    }

    public var endpoints: [EndpointDescription] {
        [
            EndpointDescription(
                name: "headlines", kind: .news, needsSymbol: false, summary: "top headlines (GET /top-headlines); --symbol is a search term",
                parameters: ["country": "", "category": "", "page_size": "20"], credentials: [keyVariable]),
            EndpointDescription(
                name: "everything", kind: .news, needsSymbol: true, summary: "all articles matching --symbol (GET /everything)",
                parameters: ["from": "", "language": "", "page_size": "20"], credentials: [keyVariable]),
        ]
    }

    public func request(for call: EndpointCall, at now: UTCTimestamp) throws(ConnectorError) -> HTTPRequest {
        let description = try describe(call.endpoint)
        try ConnectorSupport.checkParameters(call, allowed: description.parameters, source: id)
        guard let apiKey else { throw ConnectorError(.missingCredential, source: id, "set \(keyVariable) (a key from https://newsapi.org/register)") }
        let size = call.parameters["page_size"] ?? "20"
        guard let pageSize = Int(size), (1...100).contains(pageSize) else {
            throw ConnectorError(.invalidArgument, source: id, "page_size must be 1…100, got '\(size)'")
        }
        var items = ["pageSize=\(pageSize)"]
        if let term = call.symbols.first { items.append("q=\(Self.encode(term))") }
        let path: String
        if call.endpoint == "headlines" {
            if let country = call.parameters["country"] { items.append("country=\(Self.encode(country.lowercased()))") }
            if let category = call.parameters["category"] { items.append("category=\(Self.encode(category.lowercased()))") }
            if call.symbols.isEmpty, call.parameters["country"] == nil, call.parameters["category"] == nil { items.append("country=us") }
            path = "/top-headlines"
        } else {
            guard !call.symbols.isEmpty else { throw ConnectorError(.invalidArgument, source: id, "everything needs --symbol: what to search for (e.g. AAPL)") }
            if let from = call.parameters["from"] { items.append("from=\(Self.encode(from))") }
            if let language = call.parameters["language"] { items.append("language=\(Self.encode(language))") }
            items.append("sortBy=publishedAt")
            path = "/everything"
        }
        return HTTPRequest(
            url: baseURL + path + "?" + items.joined(separator: "&"), headers: ["Accept": "application/json", "X-Api-Key": apiKey],
            connectTimeout: connectTimeout, totalTimeout: totalTimeout)
    }

    public func decode(_ response: HTTPResponse, for call: EndpointCall, receivedAt: UTCTimestamp) throws(ConnectorError) -> [Record] {
        let json = try ConnectorSupport.json(response, source: id, endpoint: call.endpoint, errorMessageKey: "message", errorBody: NewsAPIErrorBody.check)
        guard let articles = json["articles"]?.arrayValue else { throw ConnectorError(.decode, source: id, "\(call.endpoint): field 'articles' is missing") }
        let topic = call.symbols.first?.uppercased() ?? (call.parameters["country"] ?? "us").uppercased()
        return try articles.enumerated().map { (index, article) throws(ConnectorError) in
            let fields = FieldReader(json: article, source: id, context: "articles[\(index)]")
            let url = try fields.string("url")
            let stamp = try fields.string("publishedAt")
            guard let published = UTCTimestamp(rfc3339: stamp) else {
                throw ConnectorError(.decode, source: id, "articles[\(index)]: field 'publishedAt' is '\(stamp)', expected an RFC 3339 time")
            }
            let news = News(
                id: url, headline: try fields.string("title"), summary: article["description"]?.stringValue, url: url,
                publisher: article["source"]?["name"]?.stringValue, publishedAt: published, symbols: call.symbols.map { $0.uppercased() })
            return Record(source: id, endpoint: call.endpoint, symbol: topic, venueSymbol: topic, payload: .news(news))
        }
    }

    static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
    }
}
