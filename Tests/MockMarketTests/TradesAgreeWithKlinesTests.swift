import Connectors
import Features
import MockMarket
import Pipeline
import ServiceLifecycle
import Testing
import Transport
import TributaryCore

/// Bars computed from the mock market's trades (through the real Binance connector and the
/// feature engine) agree with the same market's 1m klines.
@Suite(.timeLimit(.minutes(3))) struct TradesAgreeWithKlinesTests {
    /// The connector's production timeouts (2 s to connect, 10 s in all) are not this test's
    /// subject: on a loaded two-core machine the in-process mock answered later than that.
    static func patient(_ request: HTTPRequest) -> HTTPRequest {
        var request = request
        request.connectTimeout = .seconds(60)
        request.totalTimeout = .seconds(120)
        return request
    }

    @Test func oneMinuteBarsFromAggTradesEqualTheKlines() async throws {
        let now = UTCTimestamp(millisecondsSinceEpoch: 1_763_894_399_999)!
        let market = MockMarket(seed: 5, clock: { now })
        try await serving(market) { port in
            let client = HTTPClient()
            let binance = BinanceConnector(baseURL: "http://127.0.0.1:\(port)/binance")

            // Ten whole minutes, ending at the last complete one.
            let lastOpen = (now.millisecondsSinceEpoch / 60_000 - 1) * 60_000
            let firstOpen = lastOpen - 9 * 60_000
            let klineCall = EndpointCall("klines", symbols: ["BTC-USDT"], parameters: ["interval": "1m", "start": "\(firstOpen)", "end": "\(lastOpen)"])
            let klines = try binance.decode(try await client.send(Self.patient(try binance.request(for: klineCall, at: now))), for: klineCall, receivedAt: now)
            #expect(klines.count == 10)
            let tradeCall = EndpointCall(
                "agg-trades", symbols: ["BTC-USDT"], parameters: ["start": "\(firstOpen)", "end": "\(lastOpen + 59_999)", "limit": "1000"])
            let trades = try binance.decode(try await client.send(Self.patient(try binance.request(for: tradeCall, at: now))), for: tradeCall, receivedAt: now)
            #expect(trades.count == 200)

            var set = FeatureSet(name: "bars", version: 1, input: .init(kind: .trade), windows: [WindowSpec("1m")!], features: [.ohlcv])
            set.watermark = 0
            var engine = FeatureEngine(set: set)
            let envelopes = trades.map {
                Envelope.rest($0, sourceURI: "http://mock/binance/api/v3/aggTrades", observedAt: now, requestID: "r", transformations: [], ingestedAt: now)
            }
            var output = engine.ingest(envelopes)
            let closing = engine.close(through: (lastOpen + 60_000) * 1_000_000)
            output.rows += closing.rows
            #expect(output.rows.count == 10)
            #expect(output.gaps.isEmpty && closing.gaps.isEmpty, "aggregate ids run without holes")
            for (row, kline) in zip(output.rows, klines) {
                guard case .bar(let bar) = kline.payload else {
                    Issue.record("not a bar")
                    continue
                }
                #expect(row.start == bar.start)
                #expect(row.value("open") == bar.open && row.value("high") == bar.high && row.value("low") == bar.low && row.value("close") == bar.close)
                #expect(row.value("volume") == bar.volume)
            }
            // Times no arithmetic may overflow on are refused, not trapped on.
            let extreme = try await client.send(
                HTTPRequest(url: "http://127.0.0.1:\(port)/binance/api/v3/aggTrades?symbol=BTCUSDT&startTime=-9223372036854775808&endTime=9223372036854775807"))
            #expect(extreme.status == 400 && extreme.bodyText.contains("-1100"))
            await client.shutdown()
        }
    }
}
