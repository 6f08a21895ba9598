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

    /// Random pushes, batch pushes and takes against a plain array: the same answers, the same
    /// elements out in the same order, and the depth never past capacity.
    @Test func behavesLikeAPlainQueueUnderRandomUse() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let capacity = Int.random(in: 1...12, using: &generator)
            var machine = Machine(capacity: capacity)
            var model: [Int] = []
            var next = 0
            var out: [Int] = [], expected: [Int] = []
            for _ in 0..<60 {
                switch Int.random(in: 0..<3, using: &generator) {
                case 0:
                    let fits = model.count < capacity
                    switch machine.push(next) {
                    case .accepted: #expect(fits); model.append(next)
                    case .full: #expect(!fits)
                    default: Issue.record("unexpected answer")
                    }
                    next += 1
                case 1:
                    let batch = Array(next..<(next + Int.random(in: 1...5, using: &generator)))
                    let fits = capacity - model.count >= batch.count
                    switch machine.pushAll(batch) {
                    case .accepted: #expect(fits); model += batch
                    case .full: #expect(!fits)
                    default: Issue.record("unexpected answer")
                    }
                    next += batch.count
                default:
                    let max = Int.random(in: 1...6, using: &generator)
                    switch machine.pop(max: max) {
                    case .elements(var taken, _, _):
                        out += taken
                        expected += model.prefix(max)
                        model.removeFirst(Swift.min(max, model.count))
                        // Half the batches come back as storage for later ones, as a sink's do.
                        if Bool.random(using: &generator) {
                            taken.removeAll(keepingCapacity: true)
                            _ = machine.keepSpare(taken)
                        }
                    case .wait: #expect(model.isEmpty)
                    case .end: Issue.record("not finished")
                    }
                }
                #expect(machine.depth == model.count && machine.depth <= capacity)
            }
            #expect(out == expected)
        }
    }
}
