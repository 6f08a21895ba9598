import TributaryCore

/// Reads NEWS_SENTIMENT: `feed` articles with a compact UTC time (`20220619T124703`), an
/// overall sentiment score (a JSON number, kept exact) and per-ticker entries.
enum AlphaVantageNews {
    static func records(_ json: JSONValue, source: SourceID, symbol: String) throws(ConnectorError) -> [Record] {
        guard let feed = json["feed"]?.arrayValue else { throw ConnectorError(.decode, source: source, "news: field 'feed' is missing or not an array") }
        return try feed.enumerated().map { (index, item) throws(ConnectorError) in
            let fields = FieldReader(json: item, source: source, context: "news.feed[\(index)]")
            let stamp = try fields.string("time_published")
            guard let published = compactTime(stamp) else {
                throw ConnectorError(.decode, source: source, "news.feed[\(index)]: field 'time_published' is '\(stamp)', expected YYYYMMDDTHHMMSS")
            }
            let url = try fields.string("url")
            let tickers = item["ticker_sentiment"]?.arrayValue?.compactMap { $0["ticker"]?.stringValue } ?? []
            let news = News(
                id: url, headline: try fields.string("title"), summary: try? fields.string("summary"), url: url, publisher: try? fields.string("source"),
                publishedAt: published, symbols: tickers, sentiment: try fields.optionalDecimal("overall_sentiment_score"))
            return Record(source: source, endpoint: "news", symbol: symbol, venueSymbol: symbol, payload: .news(news))
        }
    }

    /// `20220619T124703` (UTC) → 2022-06-19T12:47:03Z.
    static func compactTime(_ text: String) -> UTCTimestamp? {
        let c = Array(text)
        guard c.count >= 15, c[8] == "T" else { return nil }
        let iso = "\(String(c[0..<4]))-\(String(c[4..<6]))-\(String(c[6..<8]))T\(String(c[9..<11])):\(String(c[11..<13])):\(String(c[13..<15]))Z"
        return UTCTimestamp(rfc3339: iso)
    }
}
