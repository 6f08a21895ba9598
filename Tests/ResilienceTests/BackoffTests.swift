import Resilience
import Testing
import TributaryCore

@Suite struct BackoffTests {
    let base = Duration.milliseconds(200)
    let cap = Duration.seconds(10)

    @Test(arguments: Backoff.Jitter.allCases)
    func tenThousandSeededDrawsStayInsideTheirBounds(jitter: Backoff.Jitter) {
        var rng = SplitMix64(seed: 99)
        var backoff = Backoff(base: base, cap: cap, jitter: jitter)
        var previous = base
        for draw in 0..<10_000 {
            let attempt = draw % 12
            if attempt == 0 { backoff.reset(); previous = base }
            let delay = backoff.delay(attempt: attempt, using: &rng)
            let exponential = backoff.exponential(attempt)
            switch jitter {
            case .none:
                #expect(delay == exponential)
            case .full:
                #expect(delay >= .zero && delay <= exponential, "draw \(draw): \(delay) outside [0, \(exponential)]")
            case .decorrelated:
                #expect(delay >= base && delay <= min(cap, previous * 3), "draw \(draw): \(delay) outside [base, min(cap, 3·\(previous))]")
            }
            previous = max(base, delay)
        }
    }

    @Test(arguments: Backoff.Jitter.allCases)
    func sameSeedSameSequence(jitter: Backoff.Jitter) {
        func run(_ seed: UInt64) -> [Duration] {
            var rng = SplitMix64(seed: seed)
            var backoff = Backoff(base: base, cap: cap, jitter: jitter)
            return (0..<200).map { backoff.delay(attempt: $0 % 8, using: &rng) }
        }
        #expect(run(7) == run(7))
        if jitter != .none { #expect(run(7) != run(8)) }
    }

    @Test func exponentialGrowsThenCapsWithoutOverflow() {
        let backoff = Backoff(base: .milliseconds(100), cap: .seconds(5), jitter: .none)
        #expect(backoff.exponential(0) == .milliseconds(100))
        #expect(backoff.exponential(3) == .milliseconds(800))
        #expect(backoff.exponential(6) == .seconds(5))
        #expect(backoff.exponential(10_000) == .seconds(5))
    }

    @Test func fullJitterSpreadsOverTheWholeRange() {
        var rng = SplitMix64(seed: 5)
        var backoff = Backoff(base: .seconds(1), cap: .seconds(1), jitter: .full)
        let draws = (0..<10_000).map { _ in backoff.delay(attempt: 0, using: &rng) }
        // Ten equal bins of [0, 1 s] each get 10 % ± 2 %.
        var bins = [Int](repeating: 0, count: 10)
        for d in draws { bins[min(9, Int(d / .milliseconds(100)))] += 1 }
        #expect(bins.allSatisfy { (800...1200).contains($0) }, "bins \(bins)")
    }
}
