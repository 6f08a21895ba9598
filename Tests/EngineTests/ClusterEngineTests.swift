import Connectors
import Engine
import Foundation
import Testing
import TributaryCore
import TributaryTesting

/// What an instance's engine does with its share of the poll jobs: split each source's rate
/// budget by the jobs it holds, and take over a job with what its last holder said about it.
@Suite struct ClusterEngineTests {
    /// An engine with one Binance source of three ticker jobs, read from a Sources.d of its own.
    static func engine() throws -> IngestionEngine {
        let sources = try SourcesDirectory([
            "binance.yaml": """
            id: binance
            base_url: http://127.0.0.1:9/binance
            rate_limit: { capacity: 120, refill_per_second: 60 }
            poll:
              - { endpoint: ticker, symbols: [BTCUSDT], every: 1s }
              - { endpoint: ticker, symbols: [ETHUSDT], every: 1s }
              - { endpoint: ticker, symbols: [SOLUSDT], every: 1s }
            """
        ])
        return IngestionEngine(
            catalog: SourceCatalog(directories: [sources.path]), environment: [:], transport: FakeTransport { _ in HTTPResponse(status: 500) },
            buffer: NormalizationBuffer(capacity: 16))
    }

    @Test func anInstanceSpendsTheShareOfTheBudgetThatItsJobsAre() throws {
        let engine = try Self.engine()
        let guardian = try #require(engine.guards["binance"])
        #expect(guardian.status.tokens == 120)
        engine.shareRateLimits(held: [engine.jobKeys[0]])
        #expect(guardian.status.tokens == 40, "a third of the jobs: a third of the burst")
        engine.shareRateLimits(held: Set(engine.jobKeys))
        #expect(guardian.status.tokens! <= 120 && guardian.status.tokens! >= 40, "all of them: the whole budget again (refilling)")
        engine.shareRateLimits(held: [])
        #expect(guardian.status.tokens! <= 1.2, "none: the minimum share")
    }

    @Test func aSourceHeldOffByTheLastHolderIsHeldOffByTheNextUntilTheSameTime() throws {
        let (old, new) = (try Self.engine(), try Self.engine())
        let job = old.jobKeys[1]
        #expect(old.progress(job: job) == nil, "nothing to say about a job never polled, of a source not holding off")
        let until = UTCTimestamp(nanosecondsSinceEpoch: UTCTimestamp.now().nanosecondsSinceEpoch + 60_000_000_000)
        old.guards["binance"]!.adoptPause(until: until, reason: "HTTP 429, Retry-After 60")
        let said = try #require(old.progress(job: job))
        #expect(said["hold_until"]?.stringValue != nil && said["reason"]?.stringValue?.contains("429") == true, "\(said)")

        new.tookOver(job: job, progress: said)
        let status = new.guards["binance"]!.status
        #expect(status.state == "paused" && status.reason?.contains("429") == true, "\(status)")
        let adopted = try #require(status.nextAllowedAt)
        #expect(abs(adopted.nanosecondsSinceEpoch - until.nanosecondsSinceEpoch) < 5_000_000_000, "held off until about the same time")

        // Hostile or stale words are ignored: a time long past, or not a time at all.
        let fresh = try Self.engine()
        fresh.tookOver(job: job, progress: .object(JSONObject([("hold_until", .string("2001-01-01T00:00:00Z")), ("reason", .string("old"))])))
        fresh.tookOver(job: job, progress: .object(JSONObject([("hold_until", .string("soon"))])))
        #expect(fresh.guards["binance"]!.status.state == "closed")
    }

    /// A job's lease carries the newest bar that reached the sink's target, not the newest one
    /// received: bars an instance held when it died then fall inside the taker's `failover` gap.
    @Test func theLeaseClaimsOnlyBarsThatWereDelivered() async throws {
        let sources = try SourcesDirectory([
            "binance.yaml": """
            id: binance
            base_url: http://127.0.0.1:9/binance
            poll:
              - { endpoint: klines, symbols: [BTCUSDT], every: 1s, params: { interval: 1m, limit: "3" } }
            """
        ])
        let row = { (minute: Int) in
            #"[\#(1_700_000_040_000 + minute * 60_000),"1.0","2.0","0.5","1.5","10",\#(1_700_000_099_999 + minute * 60_000),"15",3,"5","7","0"]"#
        }
        let body = "[" + (0..<3).map(row).joined(separator: ",") + "]"
        let buffer = NormalizationBuffer<Envelope>(capacity: 16)
        let engine = IngestionEngine(
            catalog: SourceCatalog(directories: [sources.path]), environment: [:],
            transport: FakeTransport { _ in HTTPResponse(status: 200, body: Array(body.utf8)) },
            buffer: buffer)
        let job = try #require(engine.jobs.first)
        await engine.poll(job.source, job.call)
        let bars = try #require(await buffer.next(max: 16))
        #expect(bars.count == 3)
        let key = engine.jobKeys[0]
        #expect(engine.progress(job: key) == nil, "received, not delivered: nothing to claim")
        engine.delivered(Array(bars.prefix(2)))
        let claimed = try #require(engine.progress(job: key)?["bars"]?[0]?["start"]?.stringValue)
        #expect(claimed == bars[1].record.asOf?.rfc3339, "the newest delivered bar, not the newest received")
        engine.delivered(bars)
        #expect(engine.progress(job: key)?["bars"]?[0]?["start"]?.stringValue == bars[2].record.asOf?.rfc3339)
    }
}
