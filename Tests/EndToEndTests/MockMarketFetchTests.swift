import Foundation
import Testing
import TributaryCore
import TributaryTesting

/// Every Binance endpoint fetched by the real binary from the mock market run as a real process.
@Suite(.serialized, .timeLimit(.minutes(2))) struct MockMarketFetchTests {
    static let demoKeys = ["BINANCE_API_KEY": "tributary-demo-key", "BINANCE_API_SECRET": "tributary-demo-secret"]

    func fetch(_ mock: MockProcess, _ arguments: [String], keys: [String: String] = demoKeys) throws -> (Tributary.Run, [JSONValue]) {
        var env = keys
        env["TRIBUTARY_BINANCE_BASE_URL"] = mock.url + "/binance"
        let run = try Tributary.run(["fetch", "binance"] + arguments + ["--json"], environment: env)
        let records = try run.stdout.split(separator: "\n").map { try JSONParser.parse(Array($0.utf8)) }
        return (run, records)
    }

    @Test func everyEndpointEndToEnd() throws {
        let mock = try MockProcess()
        defer { mock.stop() }

        let (ticker, quotes) = try fetch(mock, ["ticker", "--symbol", "BTCUSDT", "--symbol", "ETH-USDT"])
        #expect(ticker.status == 0, "\(ticker.stderr)")
        #expect(quotes.map { $0["symbol"] } == [.string("BTC-USDT"), .string("ETH-USDT")])

        let (price, prices) = try fetch(mock, ["price"])
        #expect(price.status == 0, "\(price.stderr)")
        #expect(prices.count == 5)
        #expect(prices.allSatisfy { $0["kind"] == .string("quote") && $0["last"]?.decimalValue != nil })

        let (klines, bars) = try fetch(mock, ["klines", "--symbol", "BTCUSDT", "--param", "interval=1h", "--param", "limit=24"])
        #expect(klines.status == 0, "\(klines.stderr)")
        #expect(bars.count == 24)
        let starts = bars.compactMap { $0["start"]?.stringValue.flatMap { UTCTimestamp(rfc3339: $0) } }
        #expect(zip(starts, starts.dropFirst()).allSatisfy { $1.nanosecondsSinceEpoch - $0.nanosecondsSinceEpoch == 3_600_000_000_000 })
        #expect(bars.allSatisfy { ($0["low"]?.decimalValue)! <= ($0["high"]?.decimalValue)! })

        let (depth, books) = try fetch(mock, ["depth", "--symbol", "ETHUSDT", "--param", "limit=5"])
        #expect(depth.status == 0, "\(depth.stderr)")
        #expect(books.first?["bids"]?.arrayValue?.count == 5)

        let (account, balances) = try fetch(mock, ["account"])
        #expect(account.status == 0, "\(account.stderr)")
        #expect(balances.map { $0["asset"] } == [.string("BTC"), .string("USDT"), .string("ETH")])
        #expect(!account.stdout.contains("tributary-demo-secret"))
        #expect(balances.first?["provenance"]?["source_uri"]?.stringValue?.hasSuffix("signature=REDACTED") == true)
    }

    @Test func signedCallsFailClearlyWithoutOrWithWrongKeys() throws {
        let mock = try MockProcess()
        defer { mock.stop() }
        let (missing, _) = try fetch(mock, ["account"], keys: [:])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("BINANCE_API_KEY") && missing.stderr.contains("BINANCE_API_SECRET"))
        let (wrong, _) = try fetch(mock, ["account"], keys: ["BINANCE_API_KEY": "tributary-demo-key", "BINANCE_API_SECRET": "not-the-secret"])
        #expect(wrong.status != 0)
        #expect(wrong.stderr.contains("-1022"))
        #expect(!wrong.stderr.contains("not-the-secret"))
    }

    @Test func klinesAreTheSameForTheSameSeed() throws {
        let a = try MockProcess(arguments: ["--seed", "7"])
        let b = try MockProcess(arguments: ["--seed", "7"])
        defer { a.stop(); b.stop() }
        let args = ["klines", "--symbol", "BTCUSDT", "--param", "interval=1d", "--param", "limit=3"]
        let (_, first) = try fetch(a, args)
        let (_, second) = try fetch(b, args)
        #expect(first.map { $0["close"] } == second.map { $0["close"] })
        #expect(first.count == 3)
    }
}

/// The other crypto venues, fetched by the real binary from the mock as a real process.
@Suite(.serialized, .timeLimit(.minutes(2))) struct MockMarketVenuesTests {
    func fetch(_ mock: MockProcess, _ source: String, _ arguments: [String]) throws -> (Tributary.Run, [JSONValue]) {
        let base = mock.url + "/" + source + (source == "coingecko" ? "/api/v3" : "")
        let run = try Tributary.run(["fetch", source] + arguments + ["--json"], environment: ["TRIBUTARY_\(source.uppercased())_BASE_URL": base])
        return (run, try run.stdout.split(separator: "\n").map { try JSONParser.parse(Array($0.utf8)) })
    }

    @Test func coinbaseKrakenAndCoinGeckoEndToEnd() throws {
        let mock = try MockProcess()
        defer { mock.stop() }
        let cases: [(String, [String], Int, String)] = [
            ("coinbase", ["ticker", "--symbol", "BTC-USD"], 1, "quote"),
            ("coinbase", ["candles", "--symbol", "ETH-USD", "--param", "interval=1h"], 300, "bar"),
            ("kraken", ["ticker", "--symbol", "XBTUSDT"], 1, "quote"),
            ("kraken", ["ohlc", "--symbol", "BTC-USD", "--param", "interval=1h"], 720, "bar"),
            ("coingecko", ["price", "--symbol", "BTC", "--symbol", "ethereum"], 2, "quote"),
            ("coingecko", ["markets"], 6, "quote"),
        ]
        for (source, arguments, count, kind) in cases {
            let (run, records) = try fetch(mock, source, arguments)
            #expect(run.status == 0, "\(source) \(arguments): \(run.stderr)")
            #expect(records.count == count, "\(source) \(arguments)")
            #expect(records.allSatisfy { $0["kind"] == .string(kind) && $0["source"] == .string(source) })
        }
        let (_, kraken) = try fetch(mock, "kraken", ["ticker", "--symbol", "XBTUSDT"])
        #expect(kraken.first?["symbol"] == .string("BTC-USDT"))
        let (unknown, _) = try fetch(mock, "kraken", ["ticker", "--symbol", "NOPE"])
        #expect(unknown.status != 0)
        #expect(unknown.stderr.contains("unknown pair"))
    }
}

/// Keyed equity and economic sources against the mock run as a real process.
@Suite(.serialized, .timeLimit(.minutes(2))) struct MockMarketKeyedSourcesTests {
    func fetch(_ mock: MockProcess, _ source: String, _ base: String, _ arguments: [String], keys: [String: String]) throws -> (Tributary.Run, [JSONValue]) {
        var env = keys
        env["TRIBUTARY_\(source.uppercased())_BASE_URL"] = mock.url + base
        let run = try Tributary.run(["fetch", source] + arguments + ["--json"], environment: env)
        return (run, try run.stdout.split(separator: "\n").map { try JSONParser.parse(Array($0.utf8)) })
    }

    @Test func finnhubAndFREDEndToEnd() throws {
        let mock = try MockProcess()
        defer { mock.stop() }
        let finnhubKey = ["FINNHUB_API_KEY": "mock-finnhub-key"]
        let (quote, quotes) = try fetch(mock, "finnhub", "/finnhub/api/v1", ["quote", "--symbol", "AAPL"], keys: finnhubKey)
        #expect(quote.status == 0, "\(quote.stderr)")
        #expect(quotes.first?["symbol"] == .string("AAPL"))
        let (candles, bars) = try fetch(mock, "finnhub", "/finnhub/api/v1", ["candles", "--symbol", "MSFT", "--param", "interval=1h"], keys: finnhubKey)
        #expect(candles.status == 0, "\(candles.stderr)")
        #expect((29...31).contains(bars.count))
        let (news, articles) = try fetch(mock, "finnhub", "/finnhub/api/v1", ["news", "--symbol", "AAPL"], keys: finnhubKey)
        #expect(news.status == 0, "\(news.stderr)")
        #expect(articles.count == 3 && articles.allSatisfy { $0["kind"] == .string("news") })
        let (unknown, _) = try fetch(mock, "finnhub", "/finnhub/api/v1", ["quote", "--symbol", "ZZZZ"], keys: finnhubKey)
        #expect(unknown.status != 0 && unknown.stderr.contains("no quote"))
        let (noKey, _) = try fetch(mock, "finnhub", "/finnhub/api/v1", ["quote", "--symbol", "AAPL"], keys: ["FINNHUB_API_KEY": ""])
        #expect(noKey.status != 0 && noKey.stderr.contains("set FINNHUB_API_KEY"))

        let (fred, observations) = try fetch(mock, "fred", "/fred/fred", ["observations", "--symbol", "GDP"], keys: ["FRED_API_KEY": "mock-fred-key"])
        #expect(fred.status == 0, "\(fred.stderr)")
        #expect(observations.count == 12)
        #expect(observations.contains { $0["value"] == .null })
        #expect(!fred.stdout.contains("mock-fred-key"))
        let (badKey, _) = try fetch(mock, "fred", "/fred/fred", ["observations", "--symbol", "GDP"], keys: ["FRED_API_KEY": "short"])
        #expect(badKey.status != 0 && badKey.stderr.contains("key rejected"))
        #expect(!badKey.stderr.contains("short&"))
    }
}

@Suite(.serialized, .timeLimit(.minutes(2))) struct MockMarketPolygonTests {
    @Test func polygonEndToEnd() throws {
        let mock = try MockProcess()
        defer { mock.stop() }
        let env = ["TRIBUTARY_POLYGON_BASE_URL": mock.url + "/polygon", "POLYGON_API_KEY": "mock-polygon-key"]
        for (arguments, kind) in [
            (["aggs", "--symbol", "AAPL", "--param", "interval=1d"], "bar"), (["prev", "--symbol", "MSFT"], "bar"),
            (["last-trade", "--symbol", "NVDA"], "trade"),
        ] {
            let run = try Tributary.run(["fetch", "polygon"] + arguments + ["--json"], environment: env)
            #expect(run.status == 0, "\(arguments): \(run.stderr)")
            let records = try run.stdout.split(separator: "\n").map { try JSONParser.parse(Array($0.utf8)) }
            #expect(!records.isEmpty && records.allSatisfy { $0["kind"] == .string(kind) }, "\(arguments)")
        }
        let missing = try Tributary.run(["fetch", "polygon", "last-trade", "--symbol", "ZZZZ"], environment: env)
        #expect(missing.status != 0 && missing.stderr.contains("not found"))
    }
}

@Suite(.serialized, .timeLimit(.minutes(2))) struct MockMarketAlphaVantageTests {
    @Test func alphaVantageEndToEnd() throws {
        let mock = try MockProcess()
        defer { mock.stop() }
        let env = ["TRIBUTARY_ALPHAVANTAGE_BASE_URL": mock.url + "/alphavantage", "ALPHAVANTAGE_API_KEY": "mock-av-key"]
        for (arguments, kind, count) in [
            (["quote", "--symbol", "MSFT"], "quote", 1), (["intraday", "--symbol", "AAPL", "--param", "interval=15m"], "bar", 100),
            (["news", "--symbol", "AAPL"], "news", 1),
        ] {
            let run = try Tributary.run(["fetch", "alphavantage"] + arguments + ["--json"], environment: env)
            #expect(run.status == 0, "\(arguments): \(run.stderr)")
            let records = try run.stdout.split(separator: "\n").map { try JSONParser.parse(Array($0.utf8)) }
            #expect(records.count == count && records.allSatisfy { $0["kind"] == .string(kind) }, "\(arguments)")
            #expect(!run.stdout.contains("mock-av-key"))
        }
        let unknown = try Tributary.run(["fetch", "alphavantage", "intraday", "--symbol", "ZZZZ"], environment: env)
        #expect(unknown.status != 0 && unknown.stderr.contains("Alpha Vantage rejected the call"))
    }
}

@Suite(.serialized, .timeLimit(.minutes(2))) struct MockMarketRemainingSourcesTests {
    @Test func twelveDataFMPTiingoNewsAPIAndYahooEndToEnd() throws {
        let mock = try MockProcess()
        defer { mock.stop() }
        let env = [
            "TRIBUTARY_TWELVEDATA_BASE_URL": mock.url + "/twelvedata", "TWELVEDATA_API_KEY": "mock-td",
            "TRIBUTARY_FMP_BASE_URL": mock.url + "/fmp/stable", "FMP_API_KEY": "mock-fmp",
            "TRIBUTARY_TIINGO_BASE_URL": mock.url + "/tiingo", "TIINGO_API_KEY": "mock-tiingo",
            "TRIBUTARY_NEWSAPI_BASE_URL": mock.url + "/newsapi/v2", "NEWSAPI_API_KEY": "mock-news",
            "TRIBUTARY_YAHOO_BASE_URL": mock.url + "/yahoo", "YAHOO_CRUMB": "mock-crumb",
        ]
        let cases: [([String], String, ClosedRange<Int>)] = [
            (["twelvedata", "quote", "--symbol", "AAPL"], "quote", 1...1),
            (["twelvedata", "time-series", "--symbol", "MSFT", "--param", "interval=1h", "--param", "limit=10"], "bar", 10...10),
            (["fmp", "quote", "--symbol", "AAPL"], "quote", 1...1),
            (["tiingo", "daily", "--symbol", "GOOGL"], "bar", 15...25),
            (["tiingo", "iex", "--symbol", "GOOGL", "--param", "interval=30m"], "bar", 13...13),
            (["newsapi", "headlines"], "news", 5...5),
            (["newsapi", "everything", "--symbol", "AAPL"], "news", 10...10),
            (["yahoo", "chart", "--symbol", "AAPL", "--param", "interval=1d"], "bar", 19...19),
            (["yahoo", "quote", "--symbol", "AAPL", "--symbol", "MSFT"], "quote", 2...2),
        ]
        for (arguments, kind, count) in cases {
            let run = try Tributary.run(["fetch"] + arguments + ["--json"], environment: env)
            #expect(run.status == 0, "\(arguments): \(run.stderr)")
            let records = try run.stdout.split(separator: "\n").map { try JSONParser.parse(Array($0.utf8)) }
            #expect(count.contains(records.count) && records.allSatisfy { $0["kind"] == .string(kind) }, "\(arguments): \(records.count)")
            #expect(!run.stdout.contains("mock-fmp"))
        }
        var noCrumb = env
        noCrumb["YAHOO_CRUMB"] = ""
        let refused = try Tributary.run(["fetch", "yahoo", "quote", "--symbol", "AAPL"], environment: noCrumb)
        #expect(refused.status != 0 && refused.stderr.contains("YAHOO_CRUMB"))
    }
}

/// The mock's injected faults, seen through the real binary: each one reported for what it is.
@Suite(.serialized, .timeLimit(.minutes(2))) struct MockFaultsEndToEndTests {
    @Test func faultsAreReportedForWhatTheyAre() throws {
        let mock = try MockProcess(arguments: [
            "--fault", "binance:429:retry-after=1:count=1", "--fault", "kraken:malformed", "--fault", "coinbase:reset",
            "--fault", "coingecko:html", "--fault", "alphavantage:error-body", "--fault", "polygon:truncate",
        ])
        defer { mock.stop() }
        // One attempt for Alpha Vantage, so its throttle is reported at once instead of waited out.
        let overrides = FileManager.default.temporaryDirectory.appendingPathComponent("tributary-faults-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: overrides, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: overrides) }
        try "id: alphavantage\nretry: { max_attempts: 1 }\n".write(toFile: overrides + "/alphavantage.yaml", atomically: true, encoding: .utf8)
        let env = [
            "TRIBUTARY_SOURCES_DIR": overrides,
            "TRIBUTARY_BINANCE_BASE_URL": mock.url + "/binance", "TRIBUTARY_KRAKEN_BASE_URL": mock.url + "/kraken",
            "TRIBUTARY_COINBASE_BASE_URL": mock.url + "/coinbase", "TRIBUTARY_COINGECKO_BASE_URL": mock.url + "/coingecko/api/v3",
            "TRIBUTARY_ALPHAVANTAGE_BASE_URL": mock.url + "/alphavantage", "ALPHAVANTAGE_API_KEY": "k",
            "TRIBUTARY_POLYGON_BASE_URL": mock.url + "/polygon", "POLYGON_API_KEY": "k",
        ]
        let started = ContinuousClock.now
        let throttledOnce = try Tributary.run(["fetch", "binance", "ticker", "--symbol", "BTCUSDT", "--json"], environment: env)
        #expect(throttledOnce.status == 0, "\(throttledOnce.stderr)")
        #expect(ContinuousClock.now - started >= .seconds(1))

        let malformed = try Tributary.run(["fetch", "kraken", "ticker", "--symbol", "XBTUSDT"], environment: env)
        #expect(malformed.status != 0 && malformed.stderr.contains("invalid JSON at byte"))

        let reset = try Tributary.run(["fetch", "coinbase", "ticker", "--symbol", "BTC-USD"], environment: env)
        #expect(reset.status != 0 && reset.stderr.contains("connection closed"))

        let html = try Tributary.run(["fetch", "coingecko", "price", "--symbol", "BTC"], environment: env)
        #expect(html.status != 0 && html.stderr.contains("HTTP 502"))

        let errorBody = try Tributary.run(["fetch", "alphavantage", "quote", "--symbol", "MSFT"], environment: env)
        #expect(errorBody.status != 0 && errorBody.stderr.contains("per-minute call limit"))

        let truncated = try Tributary.run(["fetch", "polygon", "prev", "--symbol", "AAPL"], environment: env)
        #expect(truncated.status != 0 && truncated.stderr.contains("connection closed"))
    }
}
