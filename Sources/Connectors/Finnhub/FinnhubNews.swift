import Foundation
import TributaryCore

/// Reads `/company-news`: a bare array of articles, `datetime` in seconds, `related` a
/// comma-separated ticker list.
enum FinnhubNews {
    static func records(_ json: JSONValue, source: SourceID, symbol: String) throws(ConnectorError) -> [Record] {
        guard case .array(let items) = json else { throw ConnectorError(.decode, source: source, "news: expected an array, got \(json.typeName)") }
        return try items.enumerated().map { (index, item) throws(ConnectorError) in
            let fields = FieldReader(json: item, source: source, context: "news[\(index)]")
            let related = (try? fields.string("related")) ?? symbol
            let news = News(
                id: String(try fields.int("id")), headline: try fields.string("headline"), summary: try? fields.string("summary"),
                url: try fields.string("url"), publisher: try? fields.string("source"),
                publishedAt: try fields.time("datetime", .seconds),
                symbols: related.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
            return Record(source: source, endpoint: "news", symbol: symbol, venueSymbol: symbol, payload: .news(news))
        }
    }
}
