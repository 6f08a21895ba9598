import Connectors
import Testing
import TributaryCore
import TributaryTesting

@Suite struct EquityVendorsTests {
    let received = UTCTimestamp(rfc3339: "2025-09-23T00:00:00Z")!

    func decode(_ connector: some Connector, _ file: String, _ call: EndpointCall) throws -> [Record] {
        try connector.decode(HTTPResponse(status: 200, body: try PayloadLoader.load(file)), for: call, receivedAt: received)
    }

    func quote(_ r: Record?) -> Quote? { if case .quote(let q)? = r?.payload { q } else { nil } }
    func bar(_ r: Record?) -> Bar? { if case .bar(let b)? = r?.payload { b } else { nil } }

    @Test func twelveDataQuote() throws {
        let records = try decode(TwelveDataConnector(apiKey: "k"), "twelvedata/quote_AAPL.json", EndpointCall("quote", symbols: ["AAPL"]))
        let q = try #require(quote(records.first))
        #expect(q.last?.description == "156.89999" && q.change?.description == "2.42000" && q.changePercent?.description == "1.56654")
        #expect(q.volume?.description == "107547900" && q.asOf.rfc3339 == "2022-09-20T19:59:59.000Z" && q.currency == "USD")
    }

    @Test func twelveDataLocalTimesBecomeUTC() throws {
        let records = try decode(
            TwelveDataConnector(apiKey: "k"), "twelvedata/time_series_AAPL_1min_trimmed.json", EndpointCall("time-series", symbols: ["AAPL"]))
        #expect(records.count == 3)
        let newest = try #require(bar(records.last))
        #expect(newest.start.rfc3339 == "2023-08-24T15:09:00.000Z")
        #expect(newest.open.description == "177.91010" && newest.close.description == "178.00121" && newest.volume?.description == "293189")
        #expect(bar(records.first)?.start.rfc3339 == "2023-08-24T15:07:00.000Z")
    }

    @Test func fmpQuoteIsAnArray() throws {
        let records = try decode(FMPConnector(apiKey: "k"), "fmp/stable_quote_AAPL.json", EndpointCall("quote", symbols: ["AAPL"]))
        let q = try #require(quote(records.first))
        #expect(q.last?.description == "256.08" && q.change?.description == "10.58" && q.changePercent?.description == "4.30957")
        #expect(q.volume?.description == "101865199" && q.asOf == UTCTimestamp(secondsSinceEpoch: 1_758_571_201)!)
        #expect(q.high?.description == "256.63" && q.low?.description == "248.12" && q.open?.description == "248.3")
    }

    @Test func tiingoDailyAndIEX() throws {
        let daily = try decode(TiingoConnector(apiKey: "k"), "tiingo/daily_prices_GOOGL_2015-01-01_2015-01-05.json", EndpointCall("daily", symbols: ["GOOGL"]))
        #expect(daily.count == 2)
        let first = try #require(bar(daily.first))
        #expect(first.start.rfc3339 == "2015-01-02T00:00:00.000Z" && first.interval == "1d")
        #expect(
            first.close.description == "529.55" && first.open.description == "532.6" && first.high.description == "535.8" && first.low.description == "527.88")
        #expect(first.volume?.description == "1327870")
        let iex = try decode(
            TiingoConnector(apiKey: "k"), "tiingo/iex_prices_GOOGL_30min_2018-01-02_trimmed.json",
            EndpointCall("iex", symbols: ["GOOGL"], parameters: ["interval": "30m"]))
        let bar0 = try #require(bar(iex.first))
        #expect(bar0.start.rfc3339 == "2018-01-02T14:30:00.000Z")
        #expect(
            bar0.open.description == "1057.47" && bar0.high.description == "1061.91" && bar0.low.description == "1054.17" && bar0.close.description == "1061.91"
        )
        #expect(bar0.volume == nil)
    }

    @Test func keysTravelAsTheProvidersExpect() throws {
        let now = UTCTimestamp(rfc3339: "2024-03-31T12:00:00Z")!
        #expect(
            try TwelveDataConnector(baseURL: "http://h", apiKey: "tk").request(
                for: EndpointCall("time-series", symbols: ["AAPL"], parameters: ["interval": "1d", "limit": "5"]), at: now
            ).headers["Authorization"] == "apikey tk")
        #expect(
            try FMPConnector(baseURL: "http://h", apiKey: "fk").request(for: EndpointCall("quote", symbols: ["AAPL"]), at: now).url
                == "http://h/quote?symbol=AAPL&apikey=fk")
        let tiingo = try TiingoConnector(baseURL: "http://h", apiKey: "ti").request(
            for: EndpointCall("daily", symbols: ["googl"], parameters: ["start": "2015-01-01", "end": "2015-01-05"]), at: now)
        #expect(tiingo.url == "http://h/tiingo/daily/GOOGL/prices?format=json&resampleFreq=daily&startDate=2015-01-01&endDate=2015-01-05")
        #expect(tiingo.headers["Authorization"] == "Token ti")
        for connector in [TwelveDataConnector() as any Connector, FMPConnector(), TiingoConnector()] {
            #expect(throws: ConnectorError.self) { try connector.request(for: EndpointCall(connector.endpoints[0].name, symbols: ["AAPL"]), at: now) }
        }
    }
}
