import Connectors
import Resilience
import Testing
import TributaryCore
import TributaryTesting

@testable import Engine

/// The guard's rules as a pure state machine: driven step by step with instants chosen by the
/// test, no lock, clock or metric involved.
@Suite struct SourceGuardStateTests {
    typealias Instant = ManualClock.Instant
    let wall = UTCTimestamp(rfc3339: "2026-11-23T12:00:00Z")!

    func at(_ seconds: Double) -> Instant { Instant(offset: .milliseconds(Int64(seconds * 1000))) }

    @Test func aRateLimitWaitIsTypedAndGivesItsSlotBack() {
        var settings = ResilienceSettings()
        settings.rateLimit = .init(capacity: 1, refillPerSecond: 1)
        var state = SourceGuardState<Instant>(source: "binance", settings: settings)
        guard case (.go, _) = state.admit(cost: 1, now: at(0), wall: wall) else { Issue.record("first call goes"); return }
        guard case (.wait(let until, let reason), _) = state.admit(cost: 1, now: at(0), wall: wall) else { Issue.record("must wait"); return }
        #expect(reason == .rateLimit && reason.errorCode == .rateLimited && reason.metricLabel == "limiter")
        #expect(until == at(1))
        // Only the first call holds a slot: the one told to wait gave its own back.
        #expect(state.bulkhead.inFlight == 1)
    }

    @Test func aShorterThrottleNeverCutsALongerPauseShort() {
        var state = SourceGuardState<Instant>(source: "binance", settings: ResilienceSettings())
        guard case (.go(let first), _) = state.admit(cost: 1, now: at(0), wall: wall) else { Issue.record("goes"); return }
        guard case (.go(let second), _) = state.admit(cost: 1, now: at(0), wall: wall) else { Issue.record("goes"); return }
        _ = state.complete(
            startedAt: first, outcome: .throttled(status: 418, quotaExhausted: false), signals: ThrottleSignals(), error: nil, now: at(1), wall: wall)
        _ = state.complete(
            startedAt: second, outcome: .throttled(status: 429, quotaExhausted: false), signals: ThrottleSignals(retryAfter: .seconds(2)), error: nil,
            now: at(1), wall: wall)
        guard case (.wait(let until, let reason), _) = state.admit(cost: 1, now: at(5), wall: wall) else { Issue.record("still banned"); return }
        #expect(reason == .banned && reason.metricLabel == "paused")
        #expect(until == at(121))
        #expect(state.status(now: at(5), wall: wall).reason == HoldReason.banned.description)
    }

    @Test func anAdoptedPauseHoldsAtMostADayAndSaysWhere() {
        var state = SourceGuardState<Instant>(source: "kraken", settings: ResilienceSettings())
        state.adoptPause(
            until: UTCTimestamp(secondsSinceEpoch: wall.millisecondsSinceEpoch / 1000 + 7 * 86_400)!, reason: "circuit open", now: at(0), wall: wall)
        guard case (.wait(let until, .adopted(let why)), _) = state.admit(cost: 1, now: at(0), wall: wall) else { Issue.record("adopted"); return }
        #expect(why == "circuit open")
        #expect(until == at(86_400))
        // A pause in the past is not adopted.
        var fresh = SourceGuardState<Instant>(source: "kraken", settings: ResilienceSettings())
        fresh.adoptPause(until: UTCTimestamp(secondsSinceEpoch: 0)!, reason: "old", now: at(0), wall: wall)
        guard case (.go, _) = fresh.admit(cost: 1, now: at(0), wall: wall) else { Issue.record("nothing to wait for"); return }
    }

    /// 20,000 random steps (admissions, completions of every kind, time passing) against the
    /// invariants: the slots held are exactly the admitted calls not yet completed, nothing
    /// goes out while a pause is on, a paused status says why, and a hold's metric label and
    /// error code follow from its case.
    @Test(arguments: [1, 7, 42])
    func randomWalksKeepTheInvariants(seed: UInt64) {
        var generator = SplitMix64(seed: seed)
        var settings = ResilienceSettings()
        settings.rateLimit = .init(capacity: 5, refillPerSecond: 2)
        settings.dailyQuota = 400
        settings.maxConcurrent = 3
        var state = SourceGuardState<Instant>(source: "s", settings: settings)
        var now = at(0)
        var clockWall = wall
        var open: [Instant] = []
        for _ in 0..<20_000 {
            switch Int.random(in: 0..<10, using: &generator) {
            case 0...3:
                let pausedUntil = state.pause?.until
                let (decision, _) = state.admit(cost: 1, now: now, wall: clockWall)
                switch decision {
                case .go(let startedAt):
                    #expect(pausedUntil.map { now >= $0 } ?? true, "a call went out during a pause")
                    open.append(startedAt)
                case .wait(let until, let reason):
                    #expect(until > now)
                    #expect(reason.errorCode == (reason == .rateLimit ? .rateLimited : .paused))
                case .rejected(let error):
                    #expect([.circuitOpen, .bulkheadFull].contains(error.code))
                }
            case 4...6 where !open.isEmpty:
                let startedAt = open.remove(at: Int.random(in: 0..<open.count, using: &generator))
                let outcomes: [CallOutcome] = [
                    .success, .failure(countsAgainstBreaker: true, retryable: true), .throttled(status: 429, quotaExhausted: false),
                    .throttled(status: 418, quotaExhausted: false), .throttled(status: 429, quotaExhausted: true), .ignored,
                ]
                let retryAfter: Duration? = Bool.random(using: &generator) ? .milliseconds(Int64.random(in: 0...5_000, using: &generator)) : nil
                _ = state.complete(
                    startedAt: startedAt, outcome: outcomes.randomElement(using: &generator)!, signals: ThrottleSignals(retryAfter: retryAfter),
                    error: "boom", now: now, wall: clockWall)
            default:
                let step = Int64.random(in: 0...3_000, using: &generator)
                now = now.advanced(by: .milliseconds(step))
                clockWall = UTCTimestamp(nanosecondsSinceEpoch: clockWall.nanosecondsSinceEpoch + step * 1_000_000)
            }
            #expect(state.bulkhead.inFlight == open.count)
            let status = state.status(now: now, wall: clockWall)
            if status.state == "paused" { #expect(status.reason == state.pause?.reason.description) }
        }
    }
}
