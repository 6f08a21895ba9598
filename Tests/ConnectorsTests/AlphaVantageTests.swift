import Connectors
import Testing
import TributaryCore
import TributaryTesting

@Suite struct AlphaVantageTests {
    let av = AlphaVantageConnector(baseURL: "http://h", apiKey: "avkey")
    let received = UTCTimestamp(rfc3339: "2024-01-01T00:00:00Z")!

    func decode(_ file: String, _ call: EndpointCall) throws -> [Record] {
        try av.decode(HTTPResponse(status: 200, body: try PayloadLoader.load(file)), for: call, receivedAt: received)
    }

    @Test func globalQuoteWithPercentSignAndDateOnly() throws {
        let records = try decode("alphavantage/global_quote_MSFT.json", EndpointCall("quote", symbols: ["MSFT"]))
        guard case .quote(let q) = records.first?.payload else { Issue.record("quote"); return }
        #expect(q.last?.description == "112.1300" && q.open?.description == "112.6300" && q.high?.description == "113.1700" && q.low?.description == "110.6400")
        #expect(q.volume?.description == "29062853" && q.change?.description == "-0.6600" && q.changePercent?.description == "-0.5852")
        // 2018-10-05 16:00 New York (EDT) = 20:00Z.
        #expect(q.asOf.rfc3339 == "2018-10-05T20:00:00.000Z")
        // Read during that trading day (before its close), the quote is as of its answer, not of the close ahead.
        let midday = UTCTimestamp(rfc3339: "2018-10-05T15:30:00Z")!
        let during = try av.decode(
            HTTPResponse(status: 200, body: try PayloadLoader.load("alphavantage/global_quote_MSFT.json")), for: EndpointCall("quote", symbols: ["MSFT"]),
            receivedAt: midday)
        guard case .quote(let early) = during.first?.payload else { Issue.record("quote"); return }
        #expect(early.asOf == midday)
    }

    @Test func intradayJSONLocalEasternTimes() throws {
        let records = try decode(
            "alphavantage/time_series_intraday_MSFT_1min_trimmed.json", EndpointCall("intraday", symbols: ["MSFT"], parameters: ["interval": "1m"]))
        #expect(records.count == 3)
        guard case .bar(let newest) = records.last?.payload else { Issue.record("bar"); return }
        // 14:56 EST = 19:56Z; records oldest first.
        #expect(newest.start.rfc3339 == "2017-12-18T19:56:00.000Z")
        #expect(newest.open.description == "86.4900" && newest.close.description == "86.5000" && newest.volume?.description == "10494")
    }

    @Test func intradayCSVWithCRLF() throws {
        let records = try decode(
            "alphavantage/time_series_intraday_AAPL_15min_2023-01_trimmed.csv", EndpointCall("intraday", symbols: ["AAPL"], parameters: ["interval": "15m"]))
        #expect(records.count == 5)
        guard case .bar(let newest) = records.last?.payload else { Issue.record("bar"); return }
        #expect(newest.start.rfc3339 == "2023-01-31T20:45:00.000Z")
        #expect(newest.open.description == "142.4710" && newest.high.description == "143.3640" && newest.low.description == "142.1380")
        #expect(newest.close.description == "143.3200" && newest.volume?.description == "6111148")
    }

    @Test func newsSentiment() throws {
        let records = try decode("alphavantage/news_sentiment_AAPL_trimmed.json", EndpointCall("news", symbols: ["AAPL"]))
        guard case .news(let n) = records.first?.payload else { Issue.record("news"); return }
        #expect(n.headline.hasPrefix("Top Wall Street analysts"))
        #expect(n.publishedAt.rfc3339 == "2022-06-19T12:47:03.000Z")
        #expect(n.sentiment?.description == "-0.001195")
        #expect(n.symbols == ["AAPL", "CBSU"])
        #expect(n.publisher == "CNBC" && n.id == n.url)
    }

    @Test func emptyGlobalQuoteIsNoData() {
        let body = HTTPResponse(status: 200, body: Array(#"{"Global Quote": {}}"#.utf8))
        #expect { try av.decode(body, for: EndpointCall("quote", symbols: ["ZZZZ"]), receivedAt: received) } throws: { error in
            (error as? ConnectorError)?.code == .noData
        }
    }

    @Test func requestsCarryTheKeyInTheQueryAsRequired() throws {
        let request = try av.request(for: EndpointCall("intraday", symbols: ["msft"], parameters: ["interval": "15m", "month": "2023-01"]), at: received)
        #expect(request.url == "http://h/query?function=TIME_SERIES_INTRADAY&symbol=MSFT&interval=15min&month=2023-01&outputsize=full&apikey=avkey")
        #expect(SourceURIRedactor.redact(request.url).hasSuffix("apikey=REDACTED"))
    }
}
