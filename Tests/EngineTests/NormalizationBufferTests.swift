import Engine
import Testing
import TributaryTesting

@Suite struct NormalizationBufferTests {
    @Test func tryPushRefusesWhenFullAndCountsIt() {
        let buffer = NormalizationBuffer<Int>(capacity: 2)
        #expect(buffer.tryPush(1) == .accepted)
        #expect(buffer.tryPush(2) == .accepted)
        #expect(buffer.tryPush(3) == .full)
        #expect(buffer.tryPush(4) == .full)
        let stats = buffer.stats
        #expect(stats.depth == 2)
        #expect(stats.counters.accepted == 2)
        #expect(stats.counters.refused == 2)
        buffer.finish()
        #expect(buffer.tryPush(5) == .closed)
        #expect(buffer.stats.counters.refused == 3)
    }

    @Test func producerWaitsWhileFullAndResumesWhenDrained() async throws {
        let buffer = NormalizationBuffer<Int>(capacity: 2)
        try await buffer.push(1)
        try await buffer.push(2)
        let producer = Task { try await buffer.push(3) }
        // The third push cannot complete until a consumer makes room.
        while buffer.stats.waitingProducers == 0 { await Task.yield() }
        #expect(buffer.stats.depth == 2)
        #expect(buffer.stats.counters.backpressureWaits == 1)
        let first = await buffer.next(max: 1)
        #expect(first == [1])
        try await producer.value
        #expect(buffer.stats.depth == 2)
        buffer.finish()
        var rest: [Int] = []
        while let batch = await buffer.next(max: 10) { rest += batch }
        #expect(rest == [2, 3])
        #expect(buffer.stats.counters.accepted == 3)
        #expect(buffer.stats.counters.delivered == 3)
    }

    @Test func consumerWaitsForTheFirstElement() async {
        let buffer = NormalizationBuffer<Int>(capacity: 8)
        let consumer = Task { await buffer.next(max: 8) }
        await Task.yield()
        #expect(buffer.tryPush(42) == .accepted)
        #expect(await consumer.value == [42])
    }

    @Test func cancelledWaitingProducerIsCountedAsDropped() async throws {
        let buffer = NormalizationBuffer<Int>(capacity: 1)
        try await buffer.push(1)
        let producer = Task { try await buffer.push(2) }
        while buffer.stats.waitingProducers == 0 { await Task.yield() }
        producer.cancel()
        await #expect(throws: CancellationError.self) { try await producer.value }
        #expect(buffer.stats.counters.dropped == 1)
        #expect(buffer.stats.waitingProducers == 0)
        #expect(await buffer.next(max: 5) == [1])
    }

    @Test func finishRefusesWaitingProducersAndEndsConsumers() async throws {
        let buffer = NormalizationBuffer<Int>(capacity: 1)
        try await buffer.push(1)
        let producer = Task { try await buffer.push(2) }
        while buffer.stats.waitingProducers == 0 { await Task.yield() }
        buffer.finish()
        await #expect(throws: BufferClosedError.self) { try await producer.value }
        #expect(await buffer.next(max: 5) == [1])
        #expect(await buffer.next(max: 5) == nil)
        await #expect(throws: BufferClosedError.self) { try await buffer.push(3) }
        let counters = buffer.stats.counters
        #expect(counters.accepted == 1 && counters.dropped == 1 && counters.refused == 1)
    }

    @Test func manyProducersOneConsumerLoseNothing() async throws {
        let buffer = NormalizationBuffer<Int>(capacity: 16)
        let consumer = Task {
            var seen: [Int] = []
            while let batch = await buffer.next(max: 7) { seen += batch }
            return seen
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for producer in 0..<8 {
                group.addTask {
                    for i in 0..<500 { try await buffer.push(producer * 1_000 + i) }
                }
            }
            try await group.waitForAll()
        }
        buffer.finish()
        let seen = await consumer.value
        #expect(seen.count == 4_000)
        #expect(Set(seen).count == 4_000)
        // Each producer's elements stay in the order it pushed them.
        for producer in 0..<8 {
            let mine = seen.filter { $0 / 1_000 == producer }
            #expect(mine == mine.sorted())
        }
        #expect(buffer.stats.counters.highWater <= 16)
    }
}

@Suite struct NormalizationBufferLingerTests {
    @Test func lingerCollectsABatchBeforeWakingTheConsumer() async {
        let buffer = NormalizationBuffer<Int>(capacity: 100)
        let clock = ManualClock()
        #expect(buffer.tryPush(1) == .accepted)
        let consumer = Task { await buffer.next(max: 10, linger: .milliseconds(5), clock: clock) }
        await clock.waitForSleepers(1)
        for i in 2...4 { #expect(buffer.tryPush(i) == .accepted) }
        clock.advance(by: .milliseconds(4))
        #expect(clock.sleeperCount == 1)
        clock.advance(by: .milliseconds(1))
        #expect(await consumer.value == [1, 2, 3, 4])
    }

    @Test func lingerEndsAtOnceWhenTheBatchIsFull() async {
        let buffer = NormalizationBuffer<Int>(capacity: 100)
        let clock = ManualClock()
        for i in 1...3 { _ = buffer.tryPush(i) }
        #expect(await buffer.next(max: 3, linger: .seconds(60), clock: clock) == [1, 2, 3])
        #expect(clock.sleeperCount == 0)
    }

    @Test func lingerStillEndsWhenFinished() async {
        let buffer = NormalizationBuffer<Int>(capacity: 100)
        let clock = ManualClock()
        buffer.finish()
        #expect(await buffer.next(max: 3, linger: .seconds(60), clock: clock) == nil)
    }
}

/// A consumer hands its batches back (`recycle`) and later batches are written into their
/// storage, so a busy sink does not allocate a batch-sized array per batch.
@Suite struct NormalizationBufferRecycleTests {
    private static func address(_ batch: [Int]) -> UnsafeRawPointer? { batch.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) } }

    @Test func aRecycledBatchHoldsTheNextOne() async {
        let buffer = NormalizationBuffer<Int>(capacity: 1_000)
        for i in 0..<500 { _ = buffer.tryPush(i) }
        guard let first = await buffer.next(max: 500) else { Issue.record("expected a batch"); return }
        #expect(first == Array(0..<500))
        let storage = Self.address(first)
        buffer.recycle(consume first)
        for i in 500..<800 { _ = buffer.tryPush(i) }
        guard let second = await buffer.next(max: 500) else { Issue.record("expected a batch"); return }
        #expect(second == Array(500..<800))
        #expect(Self.address(second) == storage)
        #expect(second.capacity >= 500)
    }

    @Test func lingeringAppendsToTheFirstTakeInPlace() async {
        let buffer = NormalizationBuffer<Int>(capacity: 100)
        let clock = ManualClock()
        // Warm: a recycled batch of room for 10.
        for i in 0..<10 { _ = buffer.tryPush(i) }
        guard let warm = await buffer.next(max: 10) else { Issue.record("expected a batch"); return }
        let storage = Self.address(warm)
        buffer.recycle(consume warm)
        #expect(buffer.tryPush(1) == .accepted)
        let consumer = Task { await buffer.next(max: 10, linger: .milliseconds(5), clock: clock) }
        await clock.waitForSleepers(1)
        for i in 2...4 { #expect(buffer.tryPush(i) == .accepted) }
        clock.advance(by: .milliseconds(5))
        let batch = await consumer.value
        #expect(batch == [1, 2, 3, 4])
        #expect(batch.map(Self.address) == storage)
    }

    @Test func lingeringWithNothingMoreReturnsTheFirstTake() async {
        let buffer = NormalizationBuffer<Int>(capacity: 100)
        let clock = ManualClock()
        #expect(buffer.tryPush(7) == .accepted)
        let consumer = Task { await buffer.next(max: 10, linger: .milliseconds(5), clock: clock) }
        await clock.waitForSleepers(1)
        clock.advance(by: .milliseconds(5))
        #expect(await consumer.value == [7])
        buffer.finish()
        #expect(await buffer.next(max: 10, linger: .milliseconds(5), clock: clock) == nil)
    }

    @Test func aBatchStillHeldElsewhereIsLeftAlone() async {
        let buffer = NormalizationBuffer<Int>(capacity: 100)
        for i in 0..<5 { _ = buffer.tryPush(i) }
        guard let batch = await buffer.next(max: 5) else { Issue.record("expected a batch"); return }
        let kept = batch
        buffer.recycle(batch)
        for i in 5..<10 { _ = buffer.tryPush(i) }
        #expect(await buffer.next(max: 5) == Array(5..<10))
        #expect(kept == Array(0..<5))
    }
}
