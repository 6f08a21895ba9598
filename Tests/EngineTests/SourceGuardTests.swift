import Connectors
import Engine
import MetricsTestKit
import Resilience
import Synchronization
import Testing
import TributaryCore
import TributaryTesting

/// Wall time the test sets by hand (for daily quotas).
final class WallClock: Sendable {
    private let value: Mutex<UTCTimestamp>
    init(_ start: UTCTimestamp) { value = Mutex(start) }
    func set(_ time: UTCTimestamp) { value.withLock { $0 = time } }
    var now: UTCTimestamp { value.withLock { $0 } }
}

@Suite struct SourceGuardTests {
    let clock = ManualClock()
    let wall = WallClock(UTCTimestamp(rfc3339: "2026-11-23T23:59:00Z")!)
    let metrics = TestMetrics()

    func makeGuard(_ configure: (inout ResilienceSettings) -> Void = { _ in }) -> SourceGuard<ManualClock> {
        var settings = ResilienceSettings()
        configure(&settings)
        let wall = self.wall
        return SourceGuard(
            source: "binance", settings: settings, clock: clock, wallNow: { wall.now },
            metrics: ResilienceMetrics(source: "binance", factory: metrics))
    }

    func permit(_ admission: SourceGuard<ManualClock>.Admission) -> SourceGuard<ManualClock>.Permit? {
        if case .go(let permit) = admission { return permit }
        return nil
    }

    @Test func aThrottleHoldsEveryCallUntilRetryAfter() throws {
        let guardian = makeGuard()
        let first = try #require(permit(guardian.admit()))
        guardian.complete(first, outcome: .throttled(status: 429, quotaExhausted: false), signals: ThrottleSignals(retryAfter: .seconds(2)))
        guard case .wait(let until, let reason) = guardian.admit() else { Issue.record("must wait"); return }
        #expect(until == clock.now.advanced(by: .seconds(2)))
        #expect(reason == .throttled(status: 429, pause: .seconds(2)))
        #expect(reason.description.contains("HTTP 429"))
        #expect(guardian.status.state == "paused")
        clock.advance(by: .milliseconds(1_999))
        guard case .wait = guardian.admit() else { Issue.record("still before the deadline"); return }
        clock.advance(by: .milliseconds(1))
        #expect(permit(guardian.admit()) != nil)
        #expect(try metrics.expectCounter("ingestion_throttles_total", [("source", "binance"), ("status", "429")]).totalValue == 1)
    }

    @Test func a418BanPausesLongerThanA429() throws {
        let guardian = makeGuard()
        let first = try #require(permit(guardian.admit()))
        guardian.complete(first, outcome: .throttled(status: 418, quotaExhausted: false))
        guard case .wait(let until, let reason) = guardian.admit() else { Issue.record("must wait"); return }
        #expect(until == clock.now.advanced(by: .seconds(120)))
        #expect(reason == .banned)
    }

    @Test func breakerOpensOnFailuresAndRejectsWithoutCalling() throws {
        let guardian = makeGuard { $0.breaker.failureThreshold = 3 }
        for _ in 0..<3 {
            let p = try #require(permit(guardian.admit()))
            guardian.complete(p, outcome: .failure(countsAgainstBreaker: true, retryable: true), error: "HTTP 503")
        }
        guard case .rejected(let error) = guardian.admit() else { Issue.record("open breaker must reject"); return }
        #expect(error.code == .circuitOpen)
        #expect(error.message.contains("HTTP 503"))
        #expect(guardian.status.state == "open")
        #expect(guardian.status.nextAllowedAt != nil)
        #expect(try metrics.expectCounter("ingestion_breaker_transitions_total", [("source", "binance"), ("to", "open")]).totalValue == 1)
        clock.advance(by: .seconds(60))
        let probe = try #require(permit(guardian.admit()))
        guardian.complete(probe, outcome: .success)
        #expect(guardian.status.state == "closed")
    }

    @Test func notFoundAndRegionBlocksDoNotOpenTheBreaker() throws {
        let guardian = makeGuard { $0.breaker.failureThreshold = 2 }
        for _ in 0..<10 {
            let p = try #require(permit(guardian.admit()))
            guardian.complete(p, outcome: .failure(countsAgainstBreaker: false, retryable: false))
        }
        #expect(guardian.status.state == "closed")
    }

    @Test func errorLabelsAreBoundedAndA404IsNotFound() throws {
        let cases: [(ConnectorError.Code, String)] = [
            (.notFound, "not_found"), (.noData, "no_data"), (.upstream(status: 503), "http_5xx"), (.throttled(status: 429), "throttled"),
            (.rejectedCredential, "credential"), (.decode, "decode"), (.quotaExhausted, "quota"),
        ]
        for (code, label) in cases { #expect(ResilienceMetrics.reason(ConnectorError(code, source: "binance", "x")) == label) }
        let response = HTTPResponse(status: 404, body: Array(#"{"message":"no such path"}"#.utf8))
        #expect { try ConnectorSupport.json(response, source: "binance", endpoint: "ticker", errorMessageKey: "message") } throws: { error in
            ResilienceMetrics.reason(error) == "not_found"
        }
    }

    @Test func aServerReportedOpenTimeLongerThanTheDefaultWins() throws {
        let guardian = makeGuard {
            $0.breaker.failureThreshold = 1; $0.breaker.openDuration = .seconds(10)
        }
        let p = try #require(permit(guardian.admit()))
        guardian.complete(p, outcome: .failure(countsAgainstBreaker: true, retryable: true), signals: ThrottleSignals(retryAfter: .seconds(90)))
        clock.advance(by: .seconds(89))
        guard case .rejected = guardian.admit() else { Issue.record("still open"); return }
        clock.advance(by: .seconds(1))
        #expect(permit(guardian.admit()) != nil)
    }

    @Test func rateLimiterMakesCallsWaitAndFollowsTheServersWeight() throws {
        let guardian = makeGuard { $0.rateLimit = .init(capacity: 1200, refillPerSecond: 20) }
        let p = try #require(permit(guardian.admit(cost: 2)))
        guardian.complete(p, outcome: .success, signals: ThrottleSignals(used: 1199))
        #expect(guardian.status.tokens == 1)
        guard case .wait(let until, _) = guardian.admit(cost: 2) else { Issue.record("must wait for weight"); return }
        #expect(until == clock.now.advanced(by: .milliseconds(50)))
        guard case .rejected(let error) = guardian.admit(cost: 5_000) else { Issue.record("too large"); return }
        #expect(error.code == .costTooLarge)
    }

    @Test func bulkheadRefusesBeyondItsPermits() throws {
        let guardian = makeGuard { $0.maxConcurrent = 2 }
        let a = try #require(permit(guardian.admit()))
        _ = try #require(permit(guardian.admit()))
        guard case .rejected(let error) = guardian.admit() else { Issue.record("third must be refused"); return }
        #expect(error.code == .bulkheadFull)
        guardian.complete(a, outcome: .success)
        #expect(permit(guardian.admit()) != nil)
        #expect(guardian.status.inFlight == 2)
    }

    @Test func dailyQuotaPausesUntilUTCMidnightAndResumesByItself() throws {
        let guardian = makeGuard { $0.dailyQuota = 2 }
        for _ in 0..<2 { guardian.complete(try #require(permit(guardian.admit())), outcome: .success) }
        guard case .wait(let until, let reason) = guardian.admit() else { Issue.record("quota spent"); return }
        #expect(until == clock.now.advanced(by: .seconds(60)))
        #expect(reason == .quotaSpent(limit: 2, resumesAt: UTCTimestamp(rfc3339: "2026-11-24T00:00:00Z")!))
        #expect(reason.description == "daily quota of 2 calls spent; resumes at 2026-11-24T00:00:00.000Z")
        #expect(guardian.status.state == "paused")
        clock.advance(by: .seconds(60))
        wall.set(UTCTimestamp(rfc3339: "2026-11-24T00:00:00Z")!)
        #expect(permit(guardian.admit()) != nil)
        #expect(guardian.status.quotaRemaining == 1)
    }

    @Test func retriesAreCountedAgainstTheBudget() {
        let guardian = makeGuard {
            $0.retryBudgetRatio = 0; $0.retryBudgetFloorPerSecond = 0.2
        }
        guardian.recordRequest()
        #expect(guardian.tryRetry())
        #expect(guardian.tryRetry())
        #expect(!guardian.tryRetry())
        #expect(guardian.status.retries == 2)
    }
}

@Suite struct QuotaSignalTests {
    @Test func anUpstreamSayingTheDailyQuotaIsSpentPausesUntilMidnight() throws {
        let clock = ManualClock()
        let guardian = SourceGuard(
            source: "alphavantage", settings: ResilienceSettings(), clock: clock,
            wallNow: { UTCTimestamp(rfc3339: "2026-11-23T18:00:00Z")! })
        guard case .go(let permit) = guardian.admit() else { Issue.record("first call must go"); return }
        let outcome = CallOutcome.classify(ConnectorError(.quotaExhausted, source: "alphavantage", "daily request quota spent"))
        #expect(outcome == .throttled(status: 429, quotaExhausted: true))
        #expect(!outcome.isRetryable)
        guardian.complete(permit, outcome: outcome)
        guard case .wait(let until, let reason) = guardian.admit() else { Issue.record("must pause"); return }
        #expect(until == clock.now.advanced(by: .seconds(6 * 3600)))
        #expect(reason == .quotaSpent(limit: nil, resumesAt: UTCTimestamp(rfc3339: "2026-11-24T00:00:00Z")!))
        #expect(reason.description.contains("resumes at 2026-11-24T00:00:00.000Z"))
    }
}
