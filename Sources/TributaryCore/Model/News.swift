/// A news article, keyed by the upstream's article id (or its URL when it has none).
public struct News: Sendable, Hashable {
    public var id: String
    public var headline: String
    public var summary: String?
    public var url: String
    public var publisher: String?
    public var publishedAt: UTCTimestamp
    public var symbols: [String]
    /// The upstream's sentiment score where it gives one (Alpha Vantage), as exact text.
    public var sentiment: ExactDecimal?

    public init(
        id: String, headline: String, summary: String? = nil, url: String, publisher: String? = nil,
        publishedAt: UTCTimestamp, symbols: [String] = [], sentiment: ExactDecimal? = nil
    ) {
        self.id = id
        self.headline = headline
        self.summary = summary
        self.url = url
        self.publisher = publisher
        self.publishedAt = publishedAt
        self.symbols = symbols
        self.sentiment = sentiment
    }
}
