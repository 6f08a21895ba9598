import Engine
import Testing
import TributaryTesting

/// `pushAll(_:waitingAtMost:clock:)`: a batch that finds the buffer full waits for room, on a
/// manual clock, and enters whole or not at all.
@Suite struct NormalizationBufferBatchWaitTests {
    /// The waiting batch enters as soon as the consumer makes room for all of it, before a
    /// newer batch that would fit too, and nothing is counted as refused.
    @Test func aWaitingBatchEntersWhenRoomFreesUpAheadOfNewerOnes() async {
        let clock = ManualClock()
        let buffer = NormalizationBuffer<Int>(capacity: 4)
        #expect(buffer.tryPushAll([1, 2, 3]) == .accepted)
        let waiting = Task { await buffer.pushAll([4, 5], waitingAtMost: .milliseconds(250), clock: clock) }
        await clock.waitForSleepers(1)
        #expect(buffer.stats.waitingProducers == 1 && buffer.stats.depth == 3)
        // One free place: a newer single-element batch would fit, but the waiting one is first.
        #expect(buffer.tryPushAll([9]) == .full)
        #expect(await buffer.next(max: 2) == [1, 2])
        #expect(await waiting.value == .accepted)
        #expect(buffer.stats.depth == 3 && buffer.stats.waitingProducers == 0)
        buffer.finish()
        var rest: [Int] = []
        while let batch = await buffer.next(max: 10) { rest += batch }
        #expect(rest == [3, 4, 5])
        let counters = buffer.stats.counters
        #expect(counters.accepted == 5 && counters.refused == 1 && counters.backpressureWaits == 1)
        await clock.waitForSleepers(0)  // the timer was cancelled, not left sleeping
    }

    /// When the time is up the batch is refused whole: `.full`, nothing of it inside, counted.
    @Test func aBatchStillWaitingWhenTheTimeIsUpIsRefusedWhole() async {
        let clock = ManualClock()
        let buffer = NormalizationBuffer<Int>(capacity: 2)
        #expect(buffer.tryPushAll([1]) == .accepted)
        let waiting = Task { await buffer.pushAll([2, 3], waitingAtMost: .milliseconds(250), clock: clock) }
        await clock.waitForSleepers(1)
        clock.advance(by: .milliseconds(249))
        #expect(buffer.stats.waitingProducers == 1)
        clock.advance(by: .milliseconds(1))
        #expect(await waiting.value == .full)
        #expect(buffer.stats.depth == 1 && buffer.stats.waitingProducers == 0)
        #expect(buffer.stats.counters.refused == 2)
        // Room freed later does not bring the refused batch back.
        #expect(await buffer.next(max: 5) == [1])
        #expect(buffer.stats.depth == 0)
    }

    /// Room already there, or no wait asked: the answer comes at once, as `tryPushAll`'s.
    @Test func withRoomOrWithoutAWaitItAnswersAtOnce() async {
        let clock = ManualClock()
        let buffer = NormalizationBuffer<Int>(capacity: 2)
        #expect(await buffer.pushAll([1, 2], waitingAtMost: .seconds(1), clock: clock) == .accepted)
        #expect(await buffer.pushAll([3], waitingAtMost: .zero, clock: clock) == .full)
        #expect(clock.sleeperCount == 0 && buffer.stats.counters.refused == 1)
    }

    /// Finishing the buffer refuses waiting batches with `.closed`; a cancelled request's batch
    /// is refused without waiting for its time.
    @Test func finishingOrCancellingEndsTheWait() async {
        let clock = ManualClock()
        let buffer = NormalizationBuffer<Int>(capacity: 1)
        #expect(buffer.tryPushAll([1]) == .accepted)
        let cancelled = Task { await buffer.pushAll([2], waitingAtMost: .seconds(60), clock: clock) }
        await clock.waitForSleepers(1)
        cancelled.cancel()
        #expect(await cancelled.value == .full)
        let waiting = Task { await buffer.pushAll([3, 4], waitingAtMost: .seconds(60), clock: clock) }
        await clock.waitForSleepers(1)
        buffer.finish()
        #expect(await waiting.value == .closed)
        #expect(await buffer.pushAll([5], waitingAtMost: .seconds(60), clock: clock) == .closed)
        let counters = buffer.stats.counters
        #expect(counters.accepted == 1 && counters.refused == 4 && buffer.stats.waitingProducers == 0)
    }
}
