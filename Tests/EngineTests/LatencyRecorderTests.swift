import Engine
import Synchronization
import Testing
import TributaryCore

/// A clock the test moves by hand.
final class ElapsedClock: Sendable {
    private let elapsed = Mutex<Duration>(.zero)
    func advance(by duration: Duration) { elapsed.withLock { $0 += duration } }
    var now: Duration { elapsed.withLock { $0 } }
}

@Suite struct LatencyRecorderTests {
    @Test func percentilesPerSourceAndOverall() {
        let clock = ElapsedClock()
        let recorder = LatencyRecorder(now: { clock.now })
        for ms in 1...100 {
            recorder.record(source: "binance", latency: .milliseconds(ms), success: ms <= 90)
            clock.advance(by: .milliseconds(100))
        }
        recorder.record(source: "kraken", latency: .milliseconds(500), success: true)
        let binance = try! #require(recorder.snapshot(source: "binance"))
        #expect(binance.count == 100)
        // HdrHistogram with 3 significant digits: within 0.1 % of the true value.
        #expect(abs(binance.p50 / .microseconds(1) - 50_000) <= 50)
        #expect(abs(binance.p95 / .microseconds(1) - 95_000) <= 95)
        #expect(abs(binance.p99 / .microseconds(1) - 99_000) <= 99)
        #expect(abs(binance.max / .microseconds(1) - 100_000) <= 100)
        #expect(binance.successRate == 0.9)
        // 100 requests over 10 s of virtual time (first at t=0, snapshot at t=10 s).
        #expect(abs(binance.requestsPerSecond - 10) < 0.01)
        let overall = recorder.overall()
        #expect(overall.count == 101)
        #expect(overall.max >= .milliseconds(499))
        #expect(recorder.sources == ["binance", "kraken"])
        #expect(recorder.snapshot(source: "nosuch") == nil)
    }
}
