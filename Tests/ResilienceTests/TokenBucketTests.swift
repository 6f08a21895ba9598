import Resilience
import Testing
import TributaryCore
import TributaryTesting

@Suite struct TokenBucketTests {
    typealias Bucket = TokenBucket<ManualClock.Instant>

    @Test func admitsBurstThenPacesAtTheRate() {
        var bucket = Bucket(capacity: 5, refillPerSecond: 2)
        let t0 = ManualClock.Instant(offset: .zero)
        for _ in 0..<5 { #expect(bucket.acquire(now: t0) == .admitted) }
        guard case .wait(let retryAt) = bucket.acquire(now: t0) else { Issue.record("sixth call must wait"); return }
        #expect(retryAt == t0.advanced(by: .milliseconds(500)))
        #expect(bucket.acquire(now: retryAt) == .admitted)
        #expect(bucket.acquire(cost: 6, now: retryAt) == .tooLarge)
    }

    @Test(arguments: [UInt64(11), 12, 13])
    func everyWindowAdmitsAtMostRateTimesTPlusBurst(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        let capacity = 10.0, rate = 4.0
        var bucket = Bucket(capacity: capacity, refillPerSecond: rate)
        var now = ManualClock.Instant(offset: .zero)
        var admitted: [(at: Duration, cost: Double)] = []
        for _ in 0..<5_000 {
            now = now.advanced(by: .milliseconds(Int64(rng.next() % 400)))
            let cost = Double(rng.next() % 3 + 1)
            if bucket.acquire(cost: cost, now: now) == .admitted { admitted.append((now.offset, cost)) }
        }
        // Check every window that starts and ends at an admission.
        for i in stride(from: 0, to: admitted.count, by: 7) {
            var total = 0.0
            for j in i..<admitted.count {
                total += admitted[j].cost
                let t = admitted[j].at - admitted[i].at
                let seconds = Double(t.components.seconds) + Double(t.components.attoseconds) / 1e18
                #expect(total <= rate * seconds + capacity + 1e-9)
                if t > .seconds(30) { break }
            }
        }
        #expect(admitted.count > 100)
    }

    @Test func followsTheUpstreamsOwnCount() {
        var bucket = Bucket(capacity: 1200, refillPerSecond: 20)
        let t0 = ManualClock.Instant(offset: .zero)
        // Binance says 1,190 of 1,200 weight is used this minute (another process shares the key).
        bucket.observeUpstreamUsage(used: 1190, limit: 1200, now: t0)
        #expect(bucket.tokens == 10)
        #expect(bucket.acquire(cost: 10, now: t0) == .admitted)
        guard case .wait = bucket.acquire(cost: 2, now: t0) else { Issue.record("must wait after the server's count"); return }
        bucket.drain(now: t0)
        #expect(bucket.tokens == 0)
    }
}

@Suite struct BulkheadAndBudgetTests {
    @Test func bulkheadCapsInFlightAndCountsRejections() {
        var bulkhead = Bulkhead(maxConcurrent: 2)
        let grants = [bulkhead.tryAcquire(), bulkhead.tryAcquire(), bulkhead.tryAcquire()]
        #expect(grants == [true, true, false])
        bulkhead.release()
        let again = bulkhead.tryAcquire()
        #expect(again)
        #expect(bulkhead.inFlight == 2)
        #expect(bulkhead.rejected == 1)
    }

    @Test func retriesStayWithinTheBudgetDuringAnOutage() {
        // 100 requests a second for 60 s, all failing, each wanting a retry.
        var budget = RetryBudget<ManualClock.Instant>(ratio: 0.1, minimumPerSecond: 1, window: .seconds(10))
        var requests = 0, retries = 0
        for tick in 0..<6_000 {
            let now = ManualClock.Instant(offset: .milliseconds(Int64(tick * 10)))
            budget.recordRequest(now: now)
            requests += 1
            if budget.tryRetry(now: now) { retries += 1 }
        }
        // About 10 % plus the floor (1/s): never the 100 % a naive retry would add.
        #expect(Double(retries) <= 0.1 * Double(requests) + 1 * 60 + 10)
        #expect(Double(retries) >= 0.09 * Double(requests))
    }

    @Test func quietSourceCanStillRetryOnTheFloor() {
        var budget = RetryBudget<ManualClock.Instant>(ratio: 0.1, minimumPerSecond: 0.5, window: .seconds(10))
        let now = ManualClock.Instant(offset: .zero)
        budget.recordRequest(now: now)
        let first = budget.tryRetry(now: now)
        #expect(first)
        for _ in 0..<3 { _ = budget.tryRetry(now: now) }
        // Floor: 0.5/s over 10 s = 5 retries, plus 10 % of 1 request: the fifth fits, the sixth does not.
        let fifth = budget.tryRetry(now: now.advanced(by: .seconds(1)))
        let sixth = budget.tryRetry(now: now.advanced(by: .seconds(1)))
        #expect(fifth && !sixth)
    }

    /// Three instances each holding a third of a source's jobs: together, over any window, they
    /// admit no more than one bucket would (rate × t plus the burst).
    @Test func sharesOfOneBudgetNeverAddUpToMoreThanIt() {
        let capacity = 12.0, rate = 6.0
        var buckets = (0..<3).map { _ in TokenBucket<ManualClock.Instant>(capacity: capacity, refillPerSecond: rate) }
        let t0 = ManualClock.Instant(offset: .zero)
        for index in buckets.indices { buckets[index].setShare(1.0 / 3, now: t0) }
        #expect(buckets.allSatisfy { $0.effectiveCapacity == 4 && $0.tokens == 4 })
        var rng = SplitMix64(seed: 7)
        var now = t0
        var admitted: [(at: Duration, cost: Double)] = []
        for _ in 0..<6_000 {
            now = now.advanced(by: .milliseconds(Int64(rng.next() % 50)))
            let which = Int(rng.next() % 3)
            let cost = Double(rng.next() % 6 + 1)  // up to 6: dearer than a share's burst of 4
            if buckets[which].acquire(cost: cost, now: now) == .admitted { admitted.append((now.offset, cost)) }
        }
        #expect(admitted.count > 100)
        let total = admitted.map(\.cost).reduce(0, +)
        let seconds = Double(now.offset.components.seconds) + Double(now.offset.components.attoseconds) / 1e18
        // Each share may run one dear call into debt: the bound is the budget plus three such calls.
        #expect(total <= capacity + rate * seconds + 3 * 6, "admitted \(total) in \(seconds) s")
        #expect(total >= rate * seconds * 0.5, "the shares still use the budget")
    }

    @Test func aShareIsClampedAndGivesUpTokensAboveIt() {
        var bucket = TokenBucket<ManualClock.Instant>(capacity: 10, refillPerSecond: 10)
        let t0 = ManualClock.Instant(offset: .zero)
        bucket.setShare(0.5, now: t0)
        #expect(bucket.tokens == 5 && bucket.effectiveRefillPerSecond == 5)
        bucket.setShare(0, now: t0)
        #expect(bucket.share == TokenBucket<ManualClock.Instant>.minimumShare)
        bucket.setShare(Double.nan, now: t0)
        #expect(bucket.share == 1)
        #expect(bucket.acquire(cost: 11, now: t0) == .tooLarge)
    }
}
