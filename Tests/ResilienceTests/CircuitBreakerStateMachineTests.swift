import Resilience
import Testing
import TributaryCore
import TributaryTesting

typealias Instant = ManualClock.Instant
typealias Breaker = CircuitBreaker<Instant>

func at(_ seconds: Double) -> Instant { Instant(offset: .milliseconds(Int64(seconds * 1000))) }

@Suite struct CircuitBreakerStateMachineTests {
    func config(threshold: Int = 5, window: Int = 20, minimum: Int = 10, rate: Double = 0.5, open: Duration = .seconds(60), probes: Int = 1)
        -> Breaker.Configuration
    {
        var c = Breaker.Configuration()
        c.failureThreshold = threshold
        c.windowSize = window
        c.minimumCalls = minimum
        c.failureRateThreshold = rate
        c.openDuration = open
        c.halfOpenProbes = probes
        return c
    }

    @Test func opensOnConsecutiveFailuresAndRejectsUntilTheDeadline() {
        var breaker = Breaker(configuration: config(threshold: 3, minimum: 20))
        for i in 0..<2 {
            #expect(breaker.acquire(now: at(Double(i))).0 == .permitted)
            #expect(breaker.record(.failure, now: at(Double(i))) == nil)
        }
        #expect(breaker.acquire(now: at(2)).0 == .permitted)
        let opened = breaker.record(.failure, now: at(2))
        #expect(opened?.to == .open(until: at(62)))
        #expect(breaker.acquire(now: at(30)).0 == .rejected(retryAt: at(62)))
        #expect(breaker.acquire(now: at(61.999)).0 == .rejected(retryAt: at(62)))
        let (decision, transition) = breaker.acquire(now: at(62))
        #expect(decision == .permitted)
        #expect(transition?.to == .halfOpen)
    }

    @Test func aSuccessResetsTheConsecutiveCount() {
        var breaker = Breaker(configuration: config(threshold: 3, minimum: 20))
        for outcome in [Breaker.Outcome.failure, .failure, .success, .failure, .failure] {
            _ = breaker.acquire(now: at(0))
            _ = breaker.record(outcome, now: at(0))
        }
        #expect(breaker.state == .closed)
    }

    @Test func opensOnFailureRateOnceTheWindowHasEnoughCalls() {
        var breaker = Breaker(configuration: config(threshold: 100, window: 10, minimum: 10, rate: 0.5))
        // Alternating: 50 % failures, never 2 in a row.
        for i in 0..<9 {
            _ = breaker.acquire(now: at(0))
            #expect(breaker.record(i % 2 == 0 ? .success : .failure, now: at(0)) == nil)
        }
        _ = breaker.acquire(now: at(0))
        #expect(breaker.record(.failure, now: at(0))?.to == .open(until: at(60)))
    }

    @Test func halfOpenClosesAfterAllProbesSucceedAndReopensOnAnyFailure() {
        var breaker = Breaker(configuration: config(threshold: 1, probes: 2))
        _ = breaker.acquire(now: at(0))
        _ = breaker.record(.failure, now: at(0))
        #expect(breaker.acquire(now: at(60)).0 == .permitted)
        #expect(breaker.acquire(now: at(60)).0 == .permitted)
        if case .rejected = breaker.acquire(now: at(60)).0 {} else { Issue.record("a third probe must wait") }
        #expect(breaker.record(.success, now: at(61)) == nil)
        #expect(breaker.record(.success, now: at(61))?.to == .closed)

        _ = breaker.acquire(now: at(70))
        _ = breaker.record(.failure, now: at(70))
        _ = breaker.acquire(now: at(130))
        #expect(breaker.record(.failure, now: at(131))?.to == .open(until: at(191)))
    }

    @Test func slowCallsCountAsFailures() {
        var c = config(threshold: 2)
        c.slowCallThreshold = .seconds(2)
        var breaker = Breaker(configuration: c)
        for _ in 0..<2 {
            _ = breaker.acquire(now: at(0))
            _ = breaker.record(.success, duration: .seconds(3), now: at(0))
        }
        #expect(breaker.state == .open(until: at(60)))
    }

    @Test func retryAfterLongerThanTheOpenTimeWins() {
        var breaker = Breaker(configuration: config(open: .seconds(10)))
        #expect(breaker.openUntil(at(300), now: at(0))?.to == .open(until: at(300)))
        #expect(breaker.acquire(now: at(200)).0 == .rejected(retryAt: at(300)))
        // A shorter hint does not shorten it.
        #expect(breaker.openUntil(at(5), now: at(1)) == nil)
        #expect(breaker.state == .open(until: at(300)))
    }

    @Test func invalidConfigurationsAreNamed() {
        let bad = config(threshold: 0, window: 5, minimum: 6, rate: 1.5, probes: 0)
        #expect(bad.problems.count == 4)
        #expect(bad.problems.contains { $0.contains("minimum_calls") })
    }
}

/// Model-based test: the breaker against an independently written reference, on a virtual clock.
@Suite struct CircuitBreakerModelTests {
    /// The specification, written as plainly as possible.
    struct Reference {
        let c: Breaker.Configuration
        var mode = "closed"
        var until = Instant(offset: .zero)
        var history: [Bool] = []  // all closed-state results since last close, true = failed
        var probesOut = 0
        var probesOK = 0

        mutating func acquire(_ now: Instant) -> Bool {
            if mode == "open" {
                if now < until { return false }
                mode = "halfOpen"
                probesOut = 0
                probesOK = 0
            }
            if mode == "halfOpen" {
                if probesOut >= c.halfOpenProbes { return false }
                probesOut += 1
            }
            return true
        }

        mutating func record(_ failed: Bool?, _ now: Instant) {
            guard let failed else {
                if mode == "halfOpen" { probesOut = max(0, probesOut - 1) }
                return
            }
            if mode == "closed" {
                history.append(failed)
                let streak = history.reversed().prefix { $0 }.count
                let recent = history.suffix(c.windowSize)
                let rateTrip =
                    recent.count >= c.minimumCalls
                    && Double(recent.filter { $0 }.count) / Double(recent.count) >= c.failureRateThreshold
                if streak >= c.failureThreshold || rateTrip { open(now.advanced(by: c.openDuration)) }
            } else if mode == "halfOpen" {
                if failed {
                    open(now.advanced(by: c.openDuration))
                } else {
                    probesOK += 1
                    if probesOK >= c.halfOpenProbes {
                        mode = "closed"
                        history = []
                    }
                }
            }
        }

        mutating func open(_ deadline: Instant) {
            mode = "open"
            until = deadline
            probesOut = 0
            probesOK = 0
        }

        mutating func hint(_ deadline: Instant, _ now: Instant) {
            let target = max(deadline, now.advanced(by: c.openDuration))
            if mode == "open" { until = max(until, target) } else { open(target) }
        }

        func matches(_ state: Breaker.State) -> Bool {
            switch state {
            case .closed: mode == "closed"
            case .halfOpen: mode == "halfOpen"
            case .open(let u): mode == "open" && u == until
            }
        }
    }

    @Test(arguments: [UInt64(1), 2, 3, 4])
    func hundredThousandRandomStepsAgreeWithTheReference(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        var c = Breaker.Configuration()
        c.failureThreshold = Int(rng.next() % 6) + 2
        c.windowSize = Int(rng.next() % 20) + 5
        c.minimumCalls = Int(rng.next() % UInt64(c.windowSize)) + 1
        c.failureRateThreshold = [0.25, 0.5, 0.75, 1.0][Int(rng.next() % 4)]
        c.openDuration = .seconds(Int64(rng.next() % 50) + 5)
        c.halfOpenProbes = Int(rng.next() % 3) + 1
        c.slowCallThreshold = .seconds(2)
        var breaker = Breaker(configuration: c)
        var model = Reference(c: c)
        var now = Instant(offset: .zero)
        var inFlight = 0
        var callsWhileOpen = 0
        for step in 0..<100_000 {
            switch rng.next() % 20 {
            case 0..<7:
                let wasOpen = model.mode == "open" && now < model.until
                let permitted = breaker.acquire(now: now).0 == .permitted
                #expect(permitted == model.acquire(now), "step \(step): acquire disagrees")
                if permitted {
                    inFlight += 1
                    if wasOpen { callsWhileOpen += 1 }
                }
            case 7..<14 where inFlight > 0:
                inFlight -= 1
                let roll = rng.next() % 20
                let (outcome, duration, failed): (Breaker.Outcome, Duration, Bool?) =
                    switch roll {
                    case 0..<10: (.success, .milliseconds(100), false)
                    case 10..<16: (.failure, .milliseconds(100), true)
                    case 16..<18: (.success, .seconds(3), true)  // slow
                    default: (.ignored, .zero, nil)
                    }
                _ = breaker.record(outcome, duration: duration, now: now)
                model.record(failed, now)
            case 14..<19:
                now = now.advanced(by: .milliseconds(Int64(rng.next() % 30_000)))
            default:
                let deadline = now.advanced(by: .seconds(Int64(rng.next() % 120)))
                _ = breaker.openUntil(deadline, now: now)
                model.hint(deadline, now)
            }
            if !model.matches(breaker.state) {
                Issue.record("step \(step): breaker \(breaker.state) but reference \(model.mode) until \(model.until)")
                return
            }
        }
        #expect(callsWhileOpen == 0)
    }
}
