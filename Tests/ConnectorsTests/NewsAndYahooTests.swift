import Connectors
import Testing
import TributaryCore
import TributaryTesting

@Suite struct NewsAndYahooTests {
    let received = UTCTimestamp(rfc3339: "2025-02-20T00:00:00Z")!

    func decode(_ connector: some Connector, _ file: String, _ call: EndpointCall, status: Int = 200) throws -> [Record] {
        try connector.decode(HTTPResponse(status: status, body: try PayloadLoader.load(file)), for: call, receivedAt: received)
    }

    @Test func newsAPIHeadlines() throws {
        let records = try decode(
            NewsAPIConnector(apiKey: "k"), "newsapi/top_headlines_country_br_trimmed.json", EndpointCall("headlines", parameters: ["country": "br"]))
        #expect(records.count == 4)
        guard case .news(let first) = records[0].payload, case .news(let second) = records[1].payload else { Issue.record("news"); return }
        #expect(first.publisher == "Uol.com.br")
        #expect(first.publishedAt.rfc3339 == "2020-08-29T00:41:37.000Z")
        #expect(first.headline.hasPrefix("\"Jamais menti sobre meu teste\""))
        #expect(first.id == first.url)
        #expect(second.url != first.url)
        #expect(records[0].symbol == "BR")
    }

    @Test func newsAPIRequests() throws {
        let news = NewsAPIConnector(baseURL: "http://h", apiKey: "nk")
        let everything = try news.request(for: EndpointCall("everything", symbols: ["Apple Inc"], parameters: ["language": "en"]), at: received)
        #expect(everything.url == "http://h/everything?pageSize=20&q=Apple%20Inc&language=en&sortBy=publishedAt")
        #expect(everything.headers["X-Api-Key"] == "nk")
        #expect(try news.request(for: EndpointCall("headlines"), at: received).url == "http://h/top-headlines?pageSize=20&country=us")
    }

    @Test func yahooDailyChartBar() throws {
        let records = try decode(
            YahooConnector(), "yahoo/chart_v8_AAPL_1d_2020-01-02.json", EndpointCall("chart", symbols: ["AAPL"], parameters: ["interval": "1d"]))
        #expect(records.count == 1)
        guard case .bar(let b) = records[0].payload else { Issue.record("bar"); return }
        #expect(b.start.rfc3339 == "2020-01-02T14:30:00.000Z")
        #expect(b.open.description == "74.05999755859375" && b.high.description == "75.1500015258789")
        #expect(b.low.description == "73.79750061035156" && b.close.description == "75.0875015258789" && b.volume?.description == "135480400")
        #expect(records[0].symbol == "AAPL")
    }

    @Test func yahooWeekendHasNoBarsAndNoError() throws {
        #expect(
            try decode(
                YahooConnector(), "yahoo/chart_v8_AAPL_1m_weekend_no_timestamps.json", EndpointCall("chart", symbols: ["AAPL"], parameters: ["interval": "1m"])
            ).isEmpty)
    }

    @Test func yahooQuote() throws {
        let records = try decode(YahooConnector(), "yahoo/quote_v7_AAPL.json", EndpointCall("quote", symbols: ["AAPL"]))
        guard case .quote(let q) = records.first?.payload else { Issue.record("quote"); return }
        #expect(q.last?.description == "244.6" && q.asOf.rfc3339 == "2025-02-14T21:00:00.000Z")
        #expect(q.change?.description == "3.0700073" && q.changePercent?.description == "1.2710667" && q.currency == "USD")
    }

    @Test func yahooNotFoundEnvelopeIsNotFound() throws {
        #expect {
            try decode(YahooConnector(), "yahoo/error_404_quoteSummary_not_found.json", EndpointCall("quote", symbols: ["^VXAPL"]), status: 404)
        } throws: { error in
            guard let error = error as? ConnectorError else { return false }
            // quoteSummary uses its own root; the generic 404 path still says "not found".
            return error.code == .notFound
        }
        let chart404 = HTTPResponse(
            status: 404, body: Array(#"{"chart":{"result":null,"error":{"code":"Not Found","description":"No data found, symbol may be delisted"}}}"#.utf8))
        #expect { try YahooConnector().decode(chart404, for: EndpointCall("chart", symbols: ["ZZZZ"]), receivedAt: received) } throws: { error in
            (error as? ConnectorError)?.code == .notFound && "\(error)".contains("delisted")
        }
        let crumbless = HTTPResponse(
            status: 401, body: Array(#"{"finance":{"result":null,"error":{"code":"Unauthorized","description":"Invalid Crumb"}}}"#.utf8))
        #expect { try YahooConnector().decode(crumbless, for: EndpointCall("quote", symbols: ["AAPL"]), receivedAt: received) } throws: { error in
            (error as? ConnectorError)?.code == .rejectedCredential && "\(error)".contains("YAHOO_CRUMB")
        }
    }
}
