import Testing
import TributaryCore

/// The hash's byte writer must agree with the documented canonical form for every kind.
@Suite struct CanonicalFormTests {
    static func d(_ text: String) -> ExactDecimal { try! ExactDecimal(parsing: text) }
    static let t = UTCTimestamp(millisecondsSinceEpoch: 1_710_328_241_270)!

    static let records: [Record] = [
        Record(
            source: "binance", endpoint: "ticker", symbol: "BTC-USDT", venueSymbol: "BTCUSDT",
            payload: .quote(
                Quote(
                    asOf: t, last: d("73367.80"), bid: d("73360.34"), ask: d("73369.19"), bidSize: d("1.0"), askSize: d("2"),
                    open: d("1"), high: d("2"), low: d("0.5"), volume: d("1207.50668151"), quoteVolume: d("3"), change: d("-0.10"),
                    changePercent: d("-1.319"), currency: "USD \"quoted\"\n"))),
        Record(
            source: "coinbase", endpoint: "candles", symbol: "BTC-USDT", venueSymbol: "BTC-USDT",
            payload: .bar(
                Bar(
                    interval: "1h", start: t, open: d("73243.33"), high: d("73402.47"), low: d("73241.5"), close: d("73370.65"),
                    volume: d("1.56794406"), trades: 308, vwap: d("73300.000")))),
        Record(
            source: "polygon", endpoint: "last-trade", symbol: "AAPL", venueSymbol: "AAPL",
            payload: .trade(
                Trade(
                    tradeID: "52983525029461", time: UTCTimestamp(nanosecondsSinceEpoch: 1_617_901_342_969_834_000), price: d("126.53"), size: d("100"),
                    side: .buy))),
        Record(
            source: "binance", endpoint: "depth", symbol: "NKN-USDT", venueSymbol: "NKNUSDT",
            payload: .book(
                Book(
                    asOf: t, bids: [.init(price: d("0.35210000"), size: d("672.00000000"))], asks: [.init(price: d("0.3525"), size: d("3959"))]))),
        Record(
            source: "finnhub", endpoint: "news", symbol: "AAPL", venueSymbol: "AAPL",
            payload: .news(
                News(
                    id: "127004320", headline: "Antitrust fervor — é", summary: nil, url: "https://finnhub.io/api/news?id=1", publisher: "Yahoo",
                    publishedAt: t, symbols: ["AAPL", "MSFT"], sentiment: d("0.25")))),
        Record(
            source: "fred", endpoint: "observations", symbol: "GDP", venueSymbol: "GDP",
            payload: .observation(Observation(series: "GDP", date: "2024-01-01", value: nil))),
        Record(
            source: "fred", endpoint: "observations", symbol: "GDP", venueSymbol: "GDP",
            payload: .observation(Observation(series: "GDP", date: "2024-04-01", value: d("4.50")))),
        // The optional members the records above have, left out; and the ones they leave out, present.
        Record(
            source: "yahoo", endpoint: "quote", symbol: "AAPL", venueSymbol: "AAPL", payload: .quote(Quote(asOf: t, last: d("1")))),
        Record(
            source: "kraken", endpoint: "ohlc", symbol: "BTC-USD", venueSymbol: "XBTUSD",
            payload: .bar(Bar(interval: "1m", start: t, open: d("1"), high: d("2"), low: d("0.5"), close: d("1.5"), volume: d("0")))),
        Record(
            source: "tape", endpoint: "import", symbol: "BTC-USD", venueSymbol: "BTC-USD",
            payload: .trade(Trade(tradeID: "7", time: t, price: d("95000.00"), size: d("0.001"), side: nil))),
        Record(
            source: "newsapi", endpoint: "everything", symbol: "MSFT", venueSymbol: "MSFT",
            payload: .news(
                News(
                    id: "n-1", headline: "h", summary: "a \"summary\"", url: "https://example.com/n", publisher: nil, publishedAt: t, symbols: [],
                    sentiment: nil))),
        Record(
            source: "binance", endpoint: "depth", symbol: "BTC-USDT", venueSymbol: "BTCUSDT", payload: .book(Book(asOf: t, bids: [], asks: []))),
        Record(
            source: "binance", endpoint: "account", symbol: "BTC", venueSymbol: "BTC",
            payload: .balance(Balance(asset: "BTC", free: d("4723846.89208129"), locked: d("0.00000000")))),
    ]

    @Test(arguments: records)
    func byteWriterMatchesTheCanonicalTree(record: Record) {
        let reference = JSONWriter.encode(.object(record.jsonObject(canonical: true)), canonical: true)
        let fast = ContentHash.canonicalBytes(of: record)
        #expect(String(decoding: fast, as: UTF8.self) == String(decoding: reference, as: UTF8.self))
    }

    /// One hasher reused across records of every kind (as an import chunk reuses it) gives each
    /// the hash of its canonical tree: nothing of the previous record leaks into the next.
    @Test func aReusedHasherHashesEachRecordAsTheTreeDoes() {
        var hasher = ContentHasher()
        for record in Self.records + Self.records.reversed() {
            let reference = JSONWriter.encode(.object(record.jsonObject(canonical: true)), canonical: true)
            #expect(hasher.hash(record) == ContentHash.of(bytes: reference))
        }
    }

    /// The writer keeps the date it wrote last: records a day apart, a millisecond either side of
    /// midnight, back on an earlier day, and at the ends of the supported range each get their own.
    @Test func aReusedHasherWritesEachRecordsOwnDate() {
        let midnight: Int64 = 1_710_374_400_000  // 2024-03-14T00:00:00Z
        let times =
            [midnight - 1, midnight, midnight + 1, midnight - 86_400_000, midnight + 86_400_000 * 400, midnight - 1]
            .compactMap(UTCTimestamp.init(millisecondsSinceEpoch:))
            + [UTCTimestamp(nanosecondsSinceEpoch: .min), UTCTimestamp(nanosecondsSinceEpoch: .max), UTCTimestamp(nanosecondsSinceEpoch: 0)]
        var hasher = ContentHasher()
        for time in times {
            let record = Record(
                source: "tape", endpoint: "import", symbol: "X", venueSymbol: "X",
                payload: .trade(Trade(tradeID: "1", time: time, price: Self.d("1.50"), size: Self.d("2"), side: nil)))
            let reference = JSONWriter.encode(.object(record.jsonObject(canonical: true)), canonical: true)
            #expect(hasher.hash(record) == ContentHash.of(bytes: reference), "\(time)")
        }
    }

    @Test func canonicalBytesAreValidSortedJSON() throws {
        for record in Self.records {
            let parsed = try JSONParser.parse(ContentHash.canonicalBytes(of: record))
            let keys = try #require(parsed.objectValue).keys
            #expect(keys == keys.sorted())
        }
    }
}
