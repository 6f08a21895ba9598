import Connectors
import Engine
import Testing
import TributaryCore
import TributaryTesting

@Suite struct PollScheduleStateMachineTests {
    typealias Instant = ManualClock.Instant
    func at(_ ms: Int64) -> Instant { Instant(offset: .milliseconds(ms)) }

    func schedule(jitter: Double = 0.1, seed: UInt64 = 3) -> PollSchedule<Instant> {
        PollSchedule(
            jobs: [
                ("binance", EndpointCall("ticker", symbols: ["BTCUSDT"]), .seconds(5)),
                ("kraken", EndpointCall("ticker", symbols: ["XBTUSDT"]), .seconds(10)),
            ], start: at(0), jitter: jitter, seed: seed)
    }

    @Test func everyJobStartsWithinItsFirstPeriod() {
        var s = schedule()
        let first = s.due(now: at(10_000))
        #expect(Set(first.map(\.source)) == ["binance", "kraken"])
        #expect(s.due(now: at(10_000)).isEmpty)
    }

    @Test func aRunningPollIsNeverHandedOutAgain() {
        var s = schedule()
        let jobs = s.due(now: at(60_000))
        #expect(jobs.count == 2)
        // An hour passes with both polls hung: still nothing new.
        #expect(s.due(now: at(3_600_000)).isEmpty)
        #expect(s.nextWakeup == nil)
        s.completed(jobs[0], now: at(3_600_000))
        #expect(s.nextWakeup! > at(3_600_000))
    }

    @Test func anOverrunDoesNotCauseCatchUpBursts() {
        var s = schedule(jitter: 0)
        let job = s.due(now: at(10_000)).first { $0.source == "binance" }!
        s.completed(job, now: at(47_000))  // 37 s late
        let next = s.nextWakeup!
        #expect(next > at(47_000) && next <= at(52_000))
        #expect(s.due(now: at(47_001)).filter { $0.source == "binance" }.isEmpty)
    }

    @Test func dueTimesStayWithinJitterOfThePeriodOverManyRuns() {
        var s = PollSchedule<Instant>(jobs: [("binance", EndpointCall("ticker"), .seconds(5))], start: at(0), jitter: 0.1, seed: 11)
        var now = at(0)
        var starts: [Instant] = []
        for _ in 0..<2_000 {
            guard let wake = s.nextWakeup else { Issue.record("nothing scheduled"); return }
            now = max(now, wake)
            let jobs = s.due(now: now)
            #expect(jobs.count == 1)
            starts.append(now)
            now = now.advanced(by: .milliseconds(30))  // the poll takes 30 ms
            s.completed(jobs[0], now: now)
        }
        let gaps = zip(starts, starts.dropFirst()).map { $0.duration(to: $1) }
        #expect(gaps.allSatisfy { $0 >= .milliseconds(4_000) && $0 <= .milliseconds(6_000) })
        // On average one poll per period: no drift.
        let total = starts.first!.duration(to: starts.last!)
        #expect(abs(total / .seconds(5) - 1_999) < 2)
        #expect(s.runs[0] == 2_000)
    }

    @Test func theSameSeedGivesTheSameSchedule() {
        var a = schedule(seed: 5), b = schedule(seed: 5)
        #expect(a.nextWakeup == b.nextWakeup)
        let ja = a.due(now: at(20_000)), jb = b.due(now: at(20_000))
        a.completed(ja[0], now: at(20_100)); b.completed(jb[0], now: at(20_100))
        #expect(a.nextWakeup == b.nextWakeup)
    }
}
