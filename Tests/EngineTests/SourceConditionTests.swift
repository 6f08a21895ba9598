import Engine
import Testing
import TributaryCore

/// The one-word condition `/sources`, the summary line, `/metrics` and the dashboard share.
@Suite struct SourceConditionTests {
    let start = UTCTimestamp(rfc3339: "2026-12-03T10:00:00Z")!
    let threshold = Duration.seconds(60)

    func condition(_ entry: SourceActivity.Entry, breaker: String = "closed", after seconds: Int64) -> SourceCondition {
        SourceCondition(activity: entry, breakerState: breaker, startedAt: start, now: start.adding(seconds: seconds)!, staleAfter: threshold)
    }

    @Test func aSourceThatHasNotPolledYetIsOkUntilItsThresholdPassesThenStale() {
        #expect(condition(SourceActivity.Entry(), after: 59).word == "ok")
        let late = condition(SourceActivity.Entry(), after: 61)
        #expect(late.stale && !late.failing && late.word == "stale")
    }

    @Test func aSourceThatNeverSucceededIsFailing() {
        var entry = SourceActivity.Entry()
        entry.polls = 3
        entry.failures = 3
        entry.lastErrorAt = start.adding(seconds: 5)!
        let now = condition(entry, after: 10)
        #expect(now.failing && now.word == "failing")
    }

    @Test func theLastPollDecidesFailing() {
        var entry = SourceActivity.Entry()
        entry.lastSuccessAt = start.adding(seconds: 5)!
        entry.newestAsOf = start.adding(seconds: 5)!
        entry.lastErrorAt = start.adding(seconds: 8)!
        #expect(condition(entry, after: 10).word == "failing")
        entry.lastSuccessAt = start.adding(seconds: 9)!
        #expect(condition(entry, after: 10).word == "ok")
    }

    @Test func oldDataIsStaleAndTheBreakerWordWins() {
        var entry = SourceActivity.Entry()
        entry.lastSuccessAt = start.adding(seconds: 100)!
        entry.newestAsOf = start
        #expect(condition(entry, after: 100).word == "stale")
        #expect(condition(entry, after: 30).word == "ok")
        let open = condition(entry, breaker: "open", after: 100)
        #expect(open.word == "open" && open.stale)
    }
}
