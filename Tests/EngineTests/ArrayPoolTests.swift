import Testing
import TributaryCore
import TributaryTesting

@testable import Engine

/// Spent record arrays come back empty with their storage, and no more than the limit are kept.
@Suite struct ArrayPoolTests {
    @Test func aGivenArrayIsEmptiedAndItsStorageFilledAgain() {
        let pool = ArrayPool<Envelope>(limit: 2)
        var records = pool.take(capacity: 100)
        #expect(records.isEmpty && records.capacity >= 100)
        records.append(contentsOf: SampleRecords.rest().prefix(3))
        let storage = records.withUnsafeBufferPointer { $0.baseAddress }
        pool.give(&records)
        #expect(records.isEmpty)
        let again = pool.take(capacity: 100)
        #expect(again.isEmpty)
        #expect(again.withUnsafeBufferPointer { $0.baseAddress } == storage)
        #expect(pool.take(capacity: 10).capacity >= 10)
    }

    @Test func atMostTheLimitIsKept() {
        let pool = ArrayPool<Envelope>(limit: 1)
        var first = pool.take(capacity: 50), second = pool.take(capacity: 60)
        let kept = first.withUnsafeBufferPointer { $0.baseAddress }
        pool.give(&first)
        pool.give(&second)
        let reused = pool.take(capacity: 1)
        #expect(reused.withUnsafeBufferPointer { $0.baseAddress } == kept)
        // The second was not kept: the next taker gets an array of its own (`reused` is still held).
        let fresh = pool.take(capacity: 1)
        #expect(fresh.withUnsafeBufferPointer { $0.baseAddress } != kept)
        #expect(reused.capacity >= 50 && fresh.capacity < 60)
    }
}
