import Testing

@testable import Engine

@Suite struct NormalizationBufferStateMachineTests {
    typealias Machine = NormalizationBuffer<Int>.StateMachine

    @Test func acceptsUntilFullThenRefuses() {
        var machine = Machine(capacity: 3)
        for i in 0..<3 {
            guard case .accepted = machine.push(i) else { Issue.record("push \(i) not accepted"); return }
        }
        guard case .full = machine.push(3) else { Issue.record("fourth push should find the buffer full"); return }
        machine.refused()
        #expect(machine.depth == 3)
        #expect(machine.counters.accepted == 3)
        #expect(machine.counters.refused == 1)
        #expect(machine.counters.highWater == 3)
    }

    @Test func popsInOrderInBatches() {
        var machine = Machine(capacity: 10)
        for i in 0..<5 { _ = machine.push(i) }
        guard case .elements(let first, let resumed, _) = machine.pop(max: 3) else { Issue.record("expected elements"); return }
        #expect(first == [0, 1, 2])
        #expect(resumed.isEmpty)
        guard case .elements(let second, _, _) = machine.pop(max: 3) else { Issue.record("expected elements"); return }
        #expect(second == [3, 4])
        guard case .wait = machine.pop(max: 3) else { Issue.record("empty open buffer should make the consumer wait"); return }
        #expect(machine.counters.delivered == 5)
    }

    @Test func wrapsAroundTheRingManyTimes() {
        var machine = Machine(capacity: 4)
        var expected = 0
        for i in 0..<1_000 {
            _ = machine.push(i)
            if i % 3 == 2, case .elements(let batch, _, _) = machine.pop(max: 3) {
                #expect(batch == Array(expected..<(expected + batch.count)))
                expected += batch.count
            }
        }
        #expect(machine.depth <= 4)
    }

    @Test func finishedBufferDrainsThenEnds() {
        var machine = Machine(capacity: 4)
        _ = machine.push(1)
        _ = machine.finish()
        guard case .closed = machine.push(2) else { Issue.record("finished buffer must refuse"); return }
        guard case .elements(let batch, _, _) = machine.pop(max: 10) else { Issue.record("remaining element must drain"); return }
        #expect(batch == [1])
        guard case .end = machine.pop(max: 10) else { Issue.record("drained finished buffer must end"); return }
    }
}
