import Connectors
import Testing
import TributaryCore
import TributaryTesting

@Suite struct FinnhubFREDTests {
    let received = UTCTimestamp(rfc3339: "2024-06-27T12:00:00Z")!
    let finnhub = FinnhubConnector(baseURL: "http://h", apiKey: "k")
    let fred = FREDConnector(baseURL: "http://h/fred", apiKey: "secret-key")

    func decode(_ connector: some Connector, _ file: String, _ call: EndpointCall, status: Int = 200) throws -> [Record] {
        try connector.decode(HTTPResponse(status: status, body: try PayloadLoader.load(file)), for: call, receivedAt: received)
    }

    @Test func fredObservationsAndTheMissingDot() throws {
        let records = try decode(fred, "fred/series_observations_HQMCB10YR.json", EndpointCall("observations", symbols: ["HQMCB10YR"]))
        #expect(records.count == 6)
        guard case .observation(let first) = records[0].payload, case .observation(let last) = records[5].payload else { Issue.record("observations"); return }
        #expect(first.series == "HQMCB10YR" && first.date == "2023-01-01" && first.value?.description == "4.98")
        #expect(last.date == "2023-06-01" && last.value?.description == "5.22")
        let dot = HTTPResponse(status: 200, body: Array(#"{"observations":[{"date":"2020-01-01","value":"."}]}"#.utf8))
        let missing = try fred.decode(dot, for: EndpointCall("observations", symbols: ["GDP"]), receivedAt: received)
        guard case .observation(let o) = missing.first?.payload else { Issue.record("observation"); return }
        #expect(o.value == nil)
        #expect(missing[0].jsonObject()["value"] == .null)
    }

    @Test func fredRequestKeepsTheKeyOutOfProvenance() throws {
        let request = try fred.request(for: EndpointCall("observations", symbols: ["dgs10"], parameters: ["start": "2023-01-01"]), at: received)
        #expect(request.url == "http://h/fred/series/observations?series_id=DGS10&file_type=json&api_key=secret-key&observation_start=2023-01-01")
        #expect(!SourceURIRedactor.redact(request.url).contains("secret-key"))
        #expect { try FREDConnector().request(for: EndpointCall("observations", symbols: ["GDP"]), at: received) } throws: { error in
            (error as? ConnectorError)?.code == .missingCredential && "\(error)".contains("FRED_API_KEY")
        }
    }

    @Test func finnhubQuote() throws {
        let records = try decode(finnhub, "finnhub/quote_AAPL_2022-07-20.json", EndpointCall("quote", symbols: ["AAPL"]))
        guard case .quote(let q) = records.first?.payload else { Issue.record("quote"); return }
        #expect(q.last?.description == "153.04" && q.change?.description == "2.04" && q.changePercent?.description == "1.351")
        #expect(q.high?.description == "153.72" && q.low?.description == "150.37" && q.open?.description == "151.12")
        #expect(q.asOf.rfc3339 == "2022-07-20T20:00:04.000Z")
    }

    @Test func finnhubAllZerosIsNoDataNotAPriceOfZero() throws {
        #expect {
            try decode(finnhub, "finnhub/quote_unknown_symbol_all_zero.json", EndpointCall("quote", symbols: ["NOPE"]))
        } throws: { error in
            (error as? ConnectorError)?.code == .noData
        }
    }

    @Test func finnhubNewsNewestFirst() throws {
        let records = try decode(finnhub, "finnhub/company_news_AAPL_2024-04-14.json", EndpointCall("news", symbols: ["AAPL"]))
        #expect(records.count == 3)
        guard case .news(let n) = records[0].payload else { Issue.record("news"); return }
        #expect(n.id == "127004320")
        #expect(n.headline.hasPrefix("Antitrust fervor is gripping"))
        #expect(n.publisher == "Yahoo")
        #expect(n.publishedAt.rfc3339 == "2024-04-14T15:00:15.000Z")
        #expect(n.symbols == ["AAPL"])
        #expect(n.url.contains("finnhub.io/api/news?id="))
    }

    @Test func finnhubCandlesParallelArrays() throws {
        let records = try decode(finnhub, "finnhub/stock_candle_docs_sample.json", EndpointCall("candles", symbols: ["AAPL"], parameters: ["interval": "1d"]))
        #expect(records.count == 3)
        guard case .bar(let b) = records[0].payload else { Issue.record("bar"); return }
        #expect(b.start == UTCTimestamp(secondsSinceEpoch: 1_569_297_600)!)
        #expect(b.open.description == "221.03" && b.high.description == "222.49" && b.low.description == "217.19" && b.close.description == "217.68")
        #expect(b.volume?.description == "33463820")
        let empty = try finnhub.decode(
            HTTPResponse(status: 200, body: Array(#"{"s":"no_data"}"#.utf8)), for: EndpointCall("candles", symbols: ["AAPL"]), receivedAt: received)
        #expect(empty.isEmpty)
    }

    @Test func finnhubRequestsSendTheKeyAsAHeader() throws {
        let now = UTCTimestamp(rfc3339: "2024-04-14T12:00:00Z")!
        let news = try finnhub.request(for: EndpointCall("news", symbols: ["aapl"]), at: now)
        #expect(news.url == "http://h/company-news?symbol=AAPL&from=2024-04-07&to=2024-04-14")
        #expect(news.headers["X-Finnhub-Token"] == "k")
        let candles = try finnhub.request(for: EndpointCall("candles", symbols: ["AAPL"], parameters: ["interval": "1h"]), at: now)
        #expect(candles.url == "http://h/stock/candle?symbol=AAPL&resolution=60&from=\(1_713_096_000 - 30 * 3_600)&to=1713096000")
        #expect(throws: ConnectorError.self) { try finnhub.request(for: EndpointCall("quote", symbols: ["AA PL"]), at: now) }
    }
}
