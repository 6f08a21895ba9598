/// One normalized datum, whatever its source: the unit that flows through the buffer to sinks.
///
/// Every record names where it came from (`source`, `endpoint`), the canonical instrument
/// (`symbol`, e.g. `BTC-USDT`) and the upstream's own spelling (`venueSymbol`, `BTCUSDT`),
/// so records from different venues can be joined without losing how each venue said it.
public struct Record: Sendable, Hashable {
    public var source: SourceID
    public var endpoint: String
    public var symbol: String
    public var venueSymbol: String
    public var payload: Payload

    public init(source: SourceID, endpoint: String, symbol: String, venueSymbol: String, payload: Payload) {
        self.source = source
        self.endpoint = endpoint
        self.symbol = symbol
        self.venueSymbol = venueSymbol
        self.payload = payload
    }

    public var kind: Kind { payload.kind }

    /// What kind of datum a record holds; the `kind` field of the JSON form.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case quote, bar, trade, book, news, observation, balance
    }

    /// The kind-specific fields.
    ///
    /// Quotes (fourteen optional decimals), bars and news are boxed (`indirect`): inline they made
    /// every record — a trade's too — 472 bytes and an envelope 680, which buffers hold by the
    /// thousand and a bulk import moves several times (boxed: an envelope is under half that;
    /// `import --check` of 1,000,000 trades used 3–5 % less CPU, alternating runs).
    public enum Payload: Sendable, Hashable {
        indirect case quote(Quote)
        indirect case bar(Bar)
        case trade(Trade)
        case book(Book)
        indirect case news(News)
        case observation(Observation)
        case balance(Balance)

        public var kind: Kind {
            switch self {
            case .quote: .quote
            case .bar: .bar
            case .trade: .trade
            case .book: .book
            case .news: .news
            case .observation: .observation
            case .balance: .balance
            }
        }
    }
}
