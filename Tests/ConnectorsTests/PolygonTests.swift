import Connectors
import Testing
import TributaryCore
import TributaryTesting

@Suite struct PolygonTests {
    let polygon = PolygonConnector(baseURL: "http://h", apiKey: "pk")
    let received = UTCTimestamp(rfc3339: "2022-04-28T21:00:00Z")!

    func decode(_ file: String, _ call: EndpointCall) throws -> [Record] {
        try polygon.decode(HTTPResponse(status: 200, body: try PayloadLoader.load(file)), for: call, receivedAt: received)
    }

    @Test func dailyAggsStartAtMidnightNewYork() throws {
        let records = try decode("polygon/aggs_AAPL_1_day_2005-04-01_2005-04-04.json", EndpointCall("aggs", symbols: ["AAPL"], parameters: ["interval": "1d"]))
        #expect(records.count == 2)
        guard case .bar(let b) = records[0].payload else { Issue.record("bar"); return }
        #expect(b.start.rfc3339 == "2005-04-01T05:00:00.000Z")
        #expect(b.open.description == "1.5032" && b.high.description == "1.5064" && b.low.description == "1.4489" && b.close.description == "1.4604")
        #expect(b.volume?.description == "642646396.0" && b.vwap?.description == "1.469" && b.trades == 82132)
    }

    @Test func previousSessionIsDatedLikeAggs() throws {
        let records = try decode("polygon/prev_close_AAPL.json", EndpointCall("prev", symbols: ["AAPL"]))
        guard case .bar(let b) = records.first?.payload else { Issue.record("bar"); return }
        // Polygon stamps it 2022-04-26T20:00:00Z (the close); the session's date at midnight New York (EDT) is 04:00Z.
        #expect(b.start.rfc3339 == "2022-04-26T04:00:00.000Z")
        #expect(b.close.description == "156.8" && b.open.description == "162.25" && b.volume?.description == "95595226.0")
    }

    @Test func lastTradeNanosecondsStayExact() throws {
        let records = try decode("polygon/last_trade_AAPL.json", EndpointCall("last-trade", symbols: ["AAPL"]))
        guard case .trade(let t) = records.first?.payload else { Issue.record("trade"); return }
        #expect(t.time.nanosecondsSinceEpoch == 1_651_179_319_310_617_300)
        #expect(t.time.rfc3339 == "2022-04-28T20:55:19.310Z")
        #expect(t.price.description == "166.25" && t.size.description == "2" && t.tradeID == "237688")
    }

    @Test func requestsUseABearerKey() throws {
        let now = UTCTimestamp(rfc3339: "2024-03-31T12:00:00Z")!
        let aggs = try polygon.request(for: EndpointCall("aggs", symbols: ["aapl"], parameters: ["interval": "5m", "start": "2024-03-01"]), at: now)
        #expect(aggs.url == "http://h/v2/aggs/ticker/AAPL/range/5/minute/2024-03-01/2024-03-31?adjusted=true&sort=asc&limit=50000")
        #expect(aggs.headers["Authorization"] == "Bearer pk")
        #expect(try polygon.request(for: EndpointCall("last-trade", symbols: ["AAPL"]), at: now).url == "http://h/v2/last/trade/AAPL")
        #expect { try PolygonConnector().request(for: EndpointCall("prev", symbols: ["AAPL"]), at: now) } throws: { error in
            (error as? ConnectorError)?.code == .missingCredential && "\(error)".contains("POLYGON_API_KEY")
        }
    }

    @Test func exchangeTimeHandlesDaylightSaving() {
        #expect(ExchangeTime.utc(fromLocal: "2023-08-24 11:09:00", zone: "America/New_York")?.rfc3339 == "2023-08-24T15:09:00.000Z")
        #expect(ExchangeTime.utc(fromLocal: "2023-01-24 11:09:00", zone: "America/New_York")?.rfc3339 == "2023-01-24T16:09:00.000Z")
        #expect(ExchangeTime.utc(fromLocal: "2023-01-24", zone: "Europe/London")?.rfc3339 == "2023-01-24T00:00:00.000Z")
        #expect(ExchangeTime.utc(fromLocal: "2023-01-24 11:09:00", zone: "Mars/Olympus") == nil)
        #expect(ExchangeTime.localDate(of: UTCTimestamp(rfc3339: "2022-04-27T02:00:00Z")!, zone: "America/New_York") == "2022-04-26")
    }
}
