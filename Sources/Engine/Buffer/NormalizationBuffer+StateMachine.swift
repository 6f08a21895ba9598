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
        typealias BatchContinuation = CheckedContinuation<TryPushResult, Never>

        struct Producer {
            let id: UInt64
            let element: Element
            let continuation: ProducerContinuation
        }

        /// A batch waiting for room for all of its elements (`pushAll(_:waitingAtMost:clock:)`).
        struct BatchProducer {
            let id: UInt64
            let elements: [Element]
            let continuation: BatchContinuation
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
            /// Return these elements, and resume the producers and batches whose elements moved in.
            case elements([Element], resume: [ProducerContinuation], admitted: [BatchContinuation])
            /// Nothing there: the consumer waits.
            case wait
            /// Finished and empty.
            case end
        }

        let capacity: Int
        private(set) var items: Deque<Element> = []
        private var producers: Deque<Producer> = []
        private var batchProducers: Deque<BatchProducer> = []
        private var consumers: Deque<Consumer> = []
        private(set) var isFinished = false
        private(set) var counters = NormalizationBuffer.Counters()
        /// Empty storage a consumer handed back (``keepSpare(_:)``), filled by the next pop.
        private(set) var spare: [Element] = []

        init(capacity: Int) {
            precondition(capacity > 0, "a buffer needs room for at least one element")
            self.capacity = capacity
        }

        var depth: Int { items.count }
        var waitingProducers: Int { producers.count + batchProducers.count }

        /// An element arrives (from `push` or `tryPush`).
        mutating func push(_ element: Element) -> PushAction {
            if isFinished { return .closed }
            if let consumer = consumers.popFirst() {
                counters.accepted += 1
                counters.delivered += 1
                return .deliver(consumer.continuation, [element])
            }
            guard items.count < capacity, producers.isEmpty, batchProducers.isEmpty else { return .full }
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
            // Batches already waiting go first: a new one does not overtake them.
            guard capacity - items.count >= elements.count, producers.isEmpty, batchProducers.isEmpty else { return .full }
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

        /// A batch starts waiting for room (or, finished meanwhile, is refused at once: the
        /// continuation returned must be resumed with `.closed`).
        mutating func enqueueBatchProducer(_ producer: BatchProducer) -> BatchContinuation? {
            if isFinished {
                counters.refused += producer.elements.count
                return producer.continuation
            }
            counters.backpressureWaits += 1
            batchProducers.append(producer)
            return nil
        }

        /// A waiting batch's time is up (or its task was cancelled): it is refused whole; nil when
        /// it already entered or was refused.
        mutating func expireBatchProducer(id: UInt64) -> BatchContinuation? {
            guard let index = batchProducers.firstIndex(where: { $0.id == id }) else { return nil }
            let producer = batchProducers.remove(at: index)
            counters.refused += producer.elements.count
            return producer.continuation
        }

        /// A producer's task was already cancelled when it would have started waiting.
        mutating func countCancelledBeforeWait() {
            counters.dropped += 1
        }

        /// A consumer asks for up to `max` elements: in the spare storage if a consumer handed one back.
        mutating func pop(max: Int) -> PopAction {
            guard !items.isEmpty else { return isFinished ? .end : .wait }
            var storage: [Element] = []
            swap(&storage, &spare)
            let (batch, resumed, admitted) = popMore(max: max, onto: consume storage)
            return .elements(batch, resume: resumed, admitted: admitted)
        }

        /// Up to `max` more elements appended to `batch` (a lingering consumer's first take),
        /// which comes back unchanged when there are none.
        mutating func popMore(max: Int, onto batch: consuming [Element]) -> (
            batch: [Element], resume: [ProducerContinuation], admitted: [BatchContinuation]
        ) {
            var batch = consume batch
            let count = Swift.min(max, items.count)
            guard count > 0 else { return (batch, [], []) }
            batch.reserveCapacity(batch.count + count)
            for _ in 0..<count { batch.append(items.removeFirst()) }
            counters.delivered += count
            var resumed: [ProducerContinuation] = []
            while items.count < capacity, let producer = producers.popFirst() {
                items.append(producer.element)
                counters.accepted += 1
                resumed.append(producer.continuation)
            }
            var admitted: [BatchContinuation] = []
            while let waiting = batchProducers.first, capacity - items.count >= waiting.elements.count {
                batchProducers.removeFirst()
                items.append(contentsOf: waiting.elements)
                counters.accepted += waiting.elements.count
                counters.highWater = Swift.max(counters.highWater, items.count)
                admitted.append(waiting.continuation)
            }
            return (batch, resumed, admitted)
        }

        /// Keeps an emptied batch's storage for the next pop when it is larger than the one kept;
        /// returns the one not kept, to be freed outside the lock.
        mutating func keepSpare(_ storage: consuming [Element]) -> [Element] {
            guard storage.isEmpty, storage.capacity > spare.capacity else { return storage }
            var storage = consume storage
            swap(&storage, &spare)
            return storage
        }

        mutating func enqueueConsumer(_ consumer: Consumer) {
            consumers.append(consumer)
        }

        mutating func cancelConsumer(id: UInt64) -> ConsumerContinuation? {
            guard let index = consumers.firstIndex(where: { $0.id == id }) else { return nil }
            return consumers.remove(at: index).continuation
        }

        /// No more elements will be accepted. Waiting producers are refused (their elements
        /// are counted as dropped), waiting batches too (counted as refused: their callers answer
        /// that nothing was accepted); waiting consumers are told the buffer has ended, since a
        /// consumer only waits while the ring is empty.
        mutating func finish() -> (producers: [ProducerContinuation], batches: [BatchContinuation], consumers: [ConsumerContinuation]) {
            guard !isFinished else { return ([], [], []) }
            isFinished = true
            counters.dropped += producers.count
            let refusedProducers = producers.map(\.continuation)
            producers.removeAll()
            counters.refused += batchProducers.reduce(0) { $0 + $1.elements.count }
            let refusedBatches = batchProducers.map(\.continuation)
            batchProducers.removeAll()
            let endedConsumers = consumers.map(\.continuation)
            consumers.removeAll()
            return (refusedProducers, refusedBatches, endedConsumers)
        }
    }
}
