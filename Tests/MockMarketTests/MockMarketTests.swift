import Connectors
import MockMarket
import ServiceLifecycle
import Testing
import Transport
import TributaryCore

@Suite(.timeLimit(.minutes(3))) struct MockMarketTests {
    @Test func pricesAreSeededAndMove() {
        let a = PriceModel(seed: 7), b = PriceModel(seed: 7)
        let walkA = (0..<20).map { _ in a.step("BTC-USDT").price }
        let walkB = (0..<20).map { _ in b.step("BTC-USDT").price }
        #expect(walkA == walkB)
        #expect(Set(walkA).count > 1)
        #expect(walkA.allSatisfy { $0 > ExactDecimal(90_000) && $0 < ExactDecimal(100_000) })
    }

    @Test func binanceTickerDecodesThroughTheRealConnector() async throws {
        let market = MockMarket(seed: 1, clock: { UTCTimestamp(millisecondsSinceEpoch: 1_763_894_399_999)! })
        try await serving(market) { port in
            let client = HTTPClient()
            let binance = BinanceConnector(baseURL: "http://127.0.0.1:\(port)/binance")
            let request = try binance.request(for: "ticker", symbols: ["BTCUSDT", "ETH-USDT"], at: .now())
            let response = try await client.send(request)
            let records = try binance.decode(response, for: "ticker", receivedAt: .now())
            #expect(records.map(\.symbol) == ["BTC-USDT", "ETH-USDT"])
            guard case .quote(let quote) = records[0].payload else { Issue.record("not a quote"); return }
            #expect(quote.asOf.rfc3339 == "2025-11-23T10:39:59.999Z")
            #expect(quote.bid! < quote.ask!)
            #expect(quote.last!.scale == 8)

            let bad = try await client.send(HTTPRequest(url: "http://127.0.0.1:\(port)/binance/api/v3/ticker/24hr?symbol=btc!"))
            #expect(bad.status == 400)
            #expect(throws: ConnectorError.self) { try binance.decode(bad, for: "ticker", receivedAt: .now()) }
            await client.shutdown()
        }
    }
}
