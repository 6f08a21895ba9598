import Connectors
import Engine
import Foundation
import Testing
import TributaryCore
import TributaryTesting

/// Instances sharing a source's poll jobs split its rate budget by the jobs each holds.
@Suite struct RateShareTests {
    @Test func anInstanceSpendsTheShareOfTheBudgetThatItsJobsAre() throws {
        let directory = NSTemporaryDirectory() + "tributary-rate-share-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try """
        id: binance
        base_url: http://127.0.0.1:9/binance
        rate_limit: { capacity: 120, refill_per_second: 60 }
        poll:
          - { endpoint: ticker, symbols: [BTCUSDT], every: 1s }
          - { endpoint: ticker, symbols: [ETHUSDT], every: 1s }
          - { endpoint: ticker, symbols: [SOLUSDT], every: 1s }
        """.write(toFile: directory + "/binance.yaml", atomically: true, encoding: .utf8)
        let engine = IngestionEngine(
            catalog: SourceCatalog(directories: [directory]), environment: [:], transport: FakeTransport { _ in HTTPResponse(status: 500) },
            buffer: NormalizationBuffer(capacity: 16))
        let guardian = try #require(engine.guards["binance"])
        #expect(guardian.status.tokens == 120)
        engine.shareRateLimits(held: [engine.jobKeys[0]])
        #expect(guardian.status.tokens == 40, "a third of the jobs: a third of the burst")
        engine.shareRateLimits(held: Set(engine.jobKeys))
        #expect(guardian.status.tokens! <= 120 && guardian.status.tokens! >= 40, "all of them: the whole budget again (refilling)")
        engine.shareRateLimits(held: [])
        #expect(guardian.status.tokens! <= 1.2, "none: the minimum share")
    }
}
