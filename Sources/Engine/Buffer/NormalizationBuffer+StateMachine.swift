import DequeModule

extension NormalizationBuffer {
    /// The buffer's policy as a pure value: every event returns what the owner must do.
    ///
    /// States: open (accepting; producers wait when full) → finished (no new elements;
    /// consumers drain what is left, then get nil). Waiting producers hold their element
    /// outside the ring until room frees up, so `depth` never exceeds `capacity`.
    struct StateMachine {
        typealias ProducerContinuation = CheckedContinuation<Void, any Error>
        typealias ConsumerContinuation = CheckedContinuation<[Element]?, Never>

        struct Producer {
            let id: UInt64
            let element: Element
            let continuation: ProducerContinuation
        }

        struct Consumer {
            let id: UInt64
            let max: Int
            let continuation: ConsumerContinuation
        }

        enum PushAction {
            /// Stored; nothing else to do.
            case accepted
            /// Handed straight to a waiting consumer: resume it with these elements.
            case deliver(ConsumerContinuation, [Element])
            /// The buffer is full: the producer must wait (async push) or be refused (tryPush).
            case full
            /// The buffer is finished: refuse.
            case closed
        }

        enum PopAction {
            /// Return these elements, and resume the producers whose elements moved in.
            case elements([Element], resume: [ProducerContinuation])
            /// Nothing there: the consumer waits.
            case wait
            /// Finished and empty.
            case end
        }

        let capacity: Int
        private(set) var items: Deque<Element> = []
        private var producers: Deque<Producer> = []
        private var consumers: Deque<Consumer> = []
        private(set) var isFinished = false
        private(set) var counters = NormalizationBuffer.Counters()

        init(capacity: Int) {
            precondition(capacity > 0, "a buffer needs room for at least one element")
            self.capacity = capacity
        }

        var depth: Int { items.count }
        var waitingProducers: Int { producers.count }

        /// An element arrives (from `push` or `tryPush`).
        mutating func push(_ element: Element) -> PushAction {
            if isFinished { return .closed }
            if let consumer = consumers.popFirst() {
                counters.accepted += 1
                counters.delivered += 1
                return .deliver(consumer.continuation, [element])
            }
            guard items.count < capacity, producers.isEmpty else { return .full }
            items.append(element)
            counters.accepted += 1
            counters.highWater = max(counters.highWater, items.count)
            return .accepted
        }

        /// Several elements, all or none (a pushed batch is never half-accepted).
        mutating func pushAll(_ elements: [Element]) -> PushAction {
            if isFinished { return .closed }
            guard !elements.isEmpty else { return .accepted }
            if let consumer = consumers.first, items.isEmpty {
                guard elements.count - min(consumer.max, elements.count) <= capacity else { return .full }
                consumers.removeFirst()
                let handed = Array(elements.prefix(consumer.max))
                items.append(contentsOf: elements.dropFirst(handed.count))
                counters.accepted += elements.count
                counters.delivered += handed.count
                counters.highWater = max(counters.highWater, items.count)
                return .deliver(consumer.continuation, handed)
            }
            guard capacity - items.count >= elements.count, producers.isEmpty else { return .full }
            items.append(contentsOf: elements)
            counters.accepted += elements.count
            counters.highWater = max(counters.highWater, items.count)
            return .accepted
        }

        /// `tryPushAll` found no room for the whole batch, or the buffer closed.
        mutating func refused(count: Int) {
            counters.refused += count
        }

        /// `tryPush` found the buffer full or closed.
        mutating func refused() {
            counters.refused += 1
        }

        /// An async producer starts waiting for room.
        mutating func enqueueProducer(_ producer: Producer) -> ProducerContinuation? {
            if isFinished { return producer.continuation }
            counters.backpressureWaits += 1
            producers.append(producer)
            return nil
        }

        /// A waiting producer's task was cancelled: its element never entered.
        mutating func cancelProducer(id: UInt64) -> ProducerContinuation? {
            guard let index = producers.firstIndex(where: { $0.id == id }) else { return nil }
            counters.dropped += 1
            return producers.remove(at: index).continuation
        }

        /// A producer's task was already cancelled when it would have started waiting.
        mutating func countCancelledBeforeWait() {
            counters.dropped += 1
        }

        /// A consumer asks for up to `max` elements.
        mutating func pop(max: Int) -> PopAction {
            guard !items.isEmpty else { return isFinished ? .end : .wait }
            let count = Swift.min(max, items.count)
            var batch: [Element] = []
            batch.reserveCapacity(count)
            for _ in 0..<count { batch.append(items.removeFirst()) }
            counters.delivered += batch.count
            var resumed: [ProducerContinuation] = []
            while items.count < capacity, let producer = producers.popFirst() {
                items.append(producer.element)
                counters.accepted += 1
                resumed.append(producer.continuation)
            }
            return .elements(batch, resume: resumed)
        }

        mutating func enqueueConsumer(_ consumer: Consumer) {
            consumers.append(consumer)
        }

        mutating func cancelConsumer(id: UInt64) -> ConsumerContinuation? {
            guard let index = consumers.firstIndex(where: { $0.id == id }) else { return nil }
            return consumers.remove(at: index).continuation
        }

        /// No more elements will be accepted. Waiting producers are refused (their elements
        /// are counted as dropped); waiting consumers are told the buffer has ended, since a
        /// consumer only waits while the ring is empty.
        mutating func finish() -> (producers: [ProducerContinuation], consumers: [ConsumerContinuation]) {
            guard !isFinished else { return ([], []) }
            isFinished = true
            counters.dropped += producers.count
            let refusedProducers = producers.map(\.continuation)
            producers.removeAll()
            let endedConsumers = consumers.map(\.continuation)
            consumers.removeAll()
            return (refusedProducers, endedConsumers)
        }
    }
}
