import Connectors
import Engine
import Resilience
import Synchronization
import Testing
import Transport
import TributaryCore
import TributaryTesting

/// Arrival times and a script of answers, shared with the loopback server's threads.
final class ScriptedUpstream: Sendable {
    private let state = Mutex<(arrivals: [ContinuousClock.Instant], answered: [Int])>(([], []))
    let script: @Sendable (Int) -> LoopbackResponse

    init(script: @escaping @Sendable (Int) -> LoopbackResponse) {
        self.script = script
    }

    func handle(_ request: LoopbackRequest) -> LoopbackResponse {
        let index = state.withLock { state -> Int in
            state.arrivals.append(.now)
            return state.arrivals.count - 1
        }
        let response = script(index)
        state.withLock { $0.answered.append(response.status) }
        return response
    }

    var arrivals: [ContinuousClock.Instant] { state.withLock { $0.arrivals } }
    var statuses: [Int] { state.withLock { $0.answered } }
}

@Suite(.serialized, .timeLimit(.minutes(3))) struct ResilientWorkerTests {
    static let ticker = #"{"symbol":"BTCUSDT","lastPrice":"95337.49000000","closeTime":1763894399999}"#

    func run(
        _ upstream: ScriptedUpstream, settings: ResilienceSettings = ResilienceSettings(), fetches: Int
    ) async throws -> (envelopes: Int, errors: [any Error], guardian: SourceGuard<ContinuousClock>) {
        let server = try LoopbackServer { upstream.handle($0) }
        defer { server.stop() }
        let client = HTTPClient()
        let buffer = NormalizationBuffer<Envelope>(capacity: 100)
        let worker = SourceWorker(connector: BinanceConnector(baseURL: server.baseURL), transport: client, buffer: buffer, latency: LatencyRecorder())
        let guardian = SourceGuard(source: "binance", settings: settings, clock: ContinuousClock())
        let resilient = ResilientWorker(worker: worker, guardian: guardian, clock: ContinuousClock())
        var errors: [any Error] = []
        for _ in 0..<fetches {
            do { try await resilient.fetch(endpoint: "ticker", symbols: ["BTCUSDT"]) } catch { errors.append(error) }
        }
        await client.shutdown()
        return (buffer.stats.counters.accepted, errors, guardian)
    }

    @Test func noRequestArrivesBeforeRetryAfterAndEveryRecordArrives() async throws {
        // Calls 1 and 4 (0-based) are throttled with Retry-After: 2.
        let upstream = ScriptedUpstream { index in
            [1, 4].contains(index)
                ? .json(#"{"code":-1003,"msg":"Too many requests."}"#, status: 429, headers: [("Retry-After", "2")])
                : .json(Self.ticker)
        }
        let (envelopes, errors, guardian) = try await run(upstream, fetches: 5)
        #expect(errors.isEmpty, "\(errors)")
        #expect(envelopes == 5)
        #expect(upstream.statuses.filter { $0 == 429 }.count == 2)
        let arrivals = upstream.arrivals
        for (index, status) in upstream.statuses.enumerated() where status == 429 {
            // A run cut short (the time limit) may end on a 429: nothing came after it to measure.
            guard index + 1 < arrivals.count else {
                Issue.record("no request followed the 429 of request \(index)")
                continue
            }
            let gap = arrivals[index + 1] - arrivals[index]
            #expect(gap >= .seconds(2), "request \(index + 1) came \(gap) after a 429 with Retry-After: 2")
        }
        #expect(guardian.status.throttles == 2)
        #expect(guardian.status.retries == 2)
    }

    @Test func permanentErrorsAreNotRetried() async throws {
        let upstream = ScriptedUpstream { _ in .json(#"{"code":0,"msg":"Service unavailable from a restricted location"}"#, status: 451) }
        let (envelopes, errors, guardian) = try await run(upstream, fetches: 1)
        #expect(envelopes == 0)
        #expect(upstream.arrivals.count == 1)
        let error = try #require(errors.first as? ConnectorError)
        #expect(error.code == .upstream(status: 451))
        #expect(guardian.status.state == "closed")
    }

    @Test func transientErrorsAreRetriedWithBackoffThenReported() async throws {
        var settings = ResilienceSettings()
        settings.retry = RetryPolicy(maxAttempts: 3, backoff: Backoff(base: .milliseconds(50), cap: .milliseconds(200), jitter: .none))
        settings.breaker.failureThreshold = 100
        let upstream = ScriptedUpstream { _ in .json(#"{"code":-1001,"msg":"Internal error"}"#, status: 503) }
        let (_, errors, _) = try await run(upstream, settings: settings, fetches: 1)
        #expect(upstream.arrivals.count == 3)
        let arrivals = upstream.arrivals
        #expect(arrivals[1] - arrivals[0] >= .milliseconds(50))
        #expect(arrivals[2] - arrivals[1] >= .milliseconds(100))
        #expect((errors.first as? ConnectorError)?.code == .upstream(status: 503))
    }

    @Test func anOpenBreakerStopsCallsAtOnce() async throws {
        var settings = ResilienceSettings()
        settings.retry = RetryPolicy(maxAttempts: 1, backoff: Backoff())
        settings.breaker.failureThreshold = 2
        let upstream = ScriptedUpstream { _ in .json(#"{"code":-1001,"msg":"Internal error"}"#, status: 500) }
        let (_, errors, guardian) = try await run(upstream, settings: settings, fetches: 5)
        #expect(upstream.arrivals.count == 2)
        #expect(errors.count == 5)
        #expect(errors.suffix(3).allSatisfy { ($0 as? ResilienceError)?.code == .circuitOpen })
        #expect(guardian.status.state == "open")
    }

    @Test func aPauseLongerThanTheAdmissionWaitFailsFastAndSaysWhy() async throws {
        var settings = ResilienceSettings()
        settings.maxAdmissionWait = .seconds(1)
        let upstream = ScriptedUpstream { _ in
            .json(#"{"code":-1003,"msg":"Way too many requests; IP banned."}"#, status: 418, headers: [("Retry-After", "600")])
        }
        let started = ContinuousClock.now
        let (_, errors, guardian) = try await run(upstream, settings: settings, fetches: 2)
        // Far inside the 600 s pause the upstream asked for, however busy the machine is.
        #expect(ContinuousClock.now - started < .seconds(120))
        #expect(upstream.arrivals.count == 1)
        #expect(errors.count == 2)
        #expect((errors.last as? ResilienceError)?.code == .paused)
        #expect(guardian.status.state == "paused")
        #expect(guardian.status.reason?.contains("418") == true)
    }
}
