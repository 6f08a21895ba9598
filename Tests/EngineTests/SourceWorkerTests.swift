import Connectors
import Engine
import Testing
import TributaryCore
import TributaryTesting

@Suite struct SourceWorkerTests {
    @Test func fetchStampsProvenanceAndFillsTheBuffer() async throws {
        let body = try PayloadLoader.load("binance/ticker_24hr.json")
        let transport = FakeTransport(body: body)
        let buffer = NormalizationBuffer<Envelope>(capacity: 4)
        let latency = LatencyRecorder()
        let worker = SourceWorker(connector: BinanceConnector(baseURL: "http://127.0.0.1:1"), transport: transport, buffer: buffer, latency: latency)
        let envelopes = try await worker.fetch(endpoint: "ticker", symbols: ["BNBBTC"])
        #expect(envelopes.count == 1)
        #expect(transport.requests.map(\.url) == ["http://127.0.0.1:1/api/v3/ticker/24hr?symbol=BNBBTC"])
        let provenance = envelopes[0].provenance
        #expect(provenance.sourceType == .rest)
        #expect(provenance.sourceID == "binance")
        #expect(provenance.contentHash == ContentHash.of(envelopes[0].record))
        #expect(provenance.transformations.contains("decode:binance.ticker"))
        #expect(!provenance.requestID.isEmpty)
        buffer.finish()
        #expect(await buffer.next(max: 10) == envelopes)
        #expect(latency.snapshot(source: "binance")?.successes == 1)
    }

    @Test func failuresAreMeasuredAndTyped() async throws {
        let transport = FakeTransport(body: Array(#"{"code":0,"msg":"Service unavailable from a restricted location"}"#.utf8), status: 451)
        let buffer = NormalizationBuffer<Envelope>(capacity: 4)
        let latency = LatencyRecorder()
        let worker = SourceWorker(connector: BinanceConnector(), transport: transport, buffer: buffer, latency: latency)
        await #expect(throws: ConnectorError.self) { try await worker.fetch(endpoint: "ticker", symbols: ["BTCUSDT"]) }
        #expect(buffer.stats.counters.accepted == 0)
        #expect(latency.snapshot(source: "binance")?.failures == 1)
    }
}
