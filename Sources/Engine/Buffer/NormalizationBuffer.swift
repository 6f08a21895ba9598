import Synchronization

/// The bounded queue between producers (fetches, webhooks, imports) and sinks.
///
/// Bounded so a slow sink cannot grow memory without limit; a ring buffer (O(1) push and
/// pop). Async producers are suspended while it is full, which slows the pollers down to
/// what sinks can absorb (backpressure); callers that must never wait, like the push
/// endpoint that answers 429 instead, use ``tryPush(_:)``. Consumers take batches with
/// ``next(max:)`` so a sink can write one transaction per batch.
///
/// ```swift
/// let buffer = NormalizationBuffer<Envelope>(capacity: 10_000)
/// try await buffer.push(envelope)              // waits while full
/// while let batch = await buffer.next(max: 500) { try sink.write(batch) }
/// ```
public final class NormalizationBuffer<Element: Sendable>: Sendable {
    /// Running totals; every element is accounted for in exactly one of accepted, refused or dropped.
    public struct Counters: Sendable, Hashable {
        /// Elements that entered (including those handed straight to a waiting consumer).
        public var accepted = 0
        /// Elements taken by consumers.
        public var delivered = 0
        /// `tryPush` calls turned away because the buffer was full or finished, and `push`
        /// calls after `finish()`.
        public var refused = 0
        /// Elements of producers that were waiting when they were cancelled or the buffer finished.
        public var dropped = 0
        /// How many times an async producer had to wait for room.
        public var backpressureWaits = 0
        /// The largest depth seen.
        public var highWater = 0
    }

    /// A point-in-time view for metrics and `/sources`.
    public struct Stats: Sendable, Hashable {
        public var depth: Int
        public var capacity: Int
        public var waitingProducers: Int
        public var isFinished: Bool
        public var counters: Counters
    }

    /// What `tryPush` did.
    public enum TryPushResult: Sendable, Hashable {
        case accepted
        /// Full: the caller should answer "try later" (the push path's 429).
        case full
        /// Finished: the process is shutting down.
        case closed
    }

    private struct Guarded: ~Copyable {
        var machine: StateMachine
        var nextID: UInt64 = 0
    }

    private let state: Mutex<Guarded>
    public let capacity: Int

    public static var defaultCapacity: Int { 10_000 }

    public init(capacity: Int = NormalizationBuffer.defaultCapacity) {
        self.capacity = capacity
        state = Mutex(Guarded(machine: StateMachine(capacity: capacity)))
    }

    /// Adds an element, waiting while the buffer is full.
    ///
    /// Throws ``BufferClosedError`` once the buffer is finished, and `CancellationError` when
    /// the task is cancelled while waiting (the element did not enter; it is counted as dropped).
    public func push(_ element: Element) async throws {
        let action = state.withLock { $0.machine.push(element) }
        switch action {
        case .accepted: return
        case .deliver(let consumer, let elements):
            consumer.resume(returning: elements)
            return
        case .closed:
            state.withLock { $0.machine.refused() }
            throw BufferClosedError()
        case .full:
            break
        }
        let id = state.withLock { guarded -> UInt64 in
            guarded.nextID += 1
            return guarded.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                // Room may have appeared, or the task been cancelled, since the first attempt.
                let immediate = state.withLock { guarded -> Result<PushOutcome, any Error>? in
                    if Task.isCancelled {
                        guarded.machine.countCancelledBeforeWait()
                        return .failure(CancellationError())
                    }
                    switch guarded.machine.push(element) {
                    case .accepted: return .success(.stored)
                    case .deliver(let consumer, let elements): return .success(.handOff(consumer, elements))
                    case .closed:
                        guarded.machine.refused()
                        return .failure(BufferClosedError())
                    case .full:
                        let producer = StateMachine.Producer(id: id, element: element, continuation: continuation)
                        if guarded.machine.enqueueProducer(producer) != nil { return .failure(BufferClosedError()) }
                        return nil
                    }
                }
                switch immediate {
                case .none: break
                case .success(.stored)?: continuation.resume()
                case .success(.handOff(let consumer, let elements))?:
                    consumer.resume(returning: elements)
                    continuation.resume()
                case .failure(let error)?: continuation.resume(throwing: error)
                }
            }
        } onCancel: {
            state.withLock { $0.machine.cancelProducer(id: id) }?.resume(throwing: CancellationError())
        }
    }

    private enum PushOutcome {
        case stored
        case handOff(StateMachine.ConsumerContinuation, [Element])
    }

    /// Adds all the elements if there is room for all of them right now, else none; never waits.
    /// The push path's batches use it: a batch is accepted whole or answered 429 whole.
    public func tryPushAll(_ elements: [Element]) -> TryPushResult {
        let action = state.withLock { guarded -> StateMachine.PushAction in
            let action = guarded.machine.pushAll(elements)
            switch action {
            case .full, .closed: guarded.machine.refused(count: elements.count)
            case .accepted, .deliver: break
            }
            return action
        }
        return complete(action)
    }

    /// Adds all the elements, waiting up to `limit` for room for all of them, else none.
    ///
    /// Why: a batch that finds the buffer full for a moment (the store flushing, a burst) is
    /// better held than refused: a refused request was read and decoded for nothing and is sent
    /// again at once, and the CPU it takes is what the sink needed to make room. Waiting batches
    /// enter in arrival order as the sink takes elements out, before any newer batch. `.full`
    /// when the time is up (or the task is cancelled), `.closed` when the buffer finishes first.
    public func pushAll<C: Clock>(_ elements: [Element], waitingAtMost limit: C.Duration, clock: C) async -> TryPushResult
    where C.Duration == Duration {
        let first = state.withLock { guarded -> StateMachine.PushAction in
            let action = guarded.machine.pushAll(elements)
            if case .closed = action { guarded.machine.refused(count: elements.count) }
            if case .full = action, limit <= .zero { guarded.machine.refused(count: elements.count) }
            return action
        }
        guard case .full = first, limit > .zero else { return complete(first) }
        let id = state.withLock { guarded -> UInt64 in
            guarded.nextID += 1
            return guarded.nextID
        }
        return await withTaskGroup(of: Void.self, returning: TryPushResult.self) { timers in
            let result = await withCheckedContinuation { (continuation: StateMachine.BatchContinuation) in
                // Room may have appeared since the first attempt.
                let immediate = state.withLock { guarded -> (StateMachine.PushAction?, StateMachine.BatchContinuation?) in
                    let action = guarded.machine.pushAll(elements)
                    switch action {
                    case .accepted, .deliver: return (action, nil)
                    case .closed:
                        guarded.machine.refused(count: elements.count)
                        return (action, nil)
                    case .full:
                        return (nil, guarded.machine.enqueueBatchProducer(.init(id: id, elements: elements, continuation: continuation)))
                    }
                }
                switch immediate {
                case (let action?, _): continuation.resume(returning: complete(action))
                case (nil, let refused?): refused.resume(returning: .closed)
                case (nil, nil):
                    // Registered before the timer starts, so the timer always finds it (or finds
                    // it already admitted). A cancelled request's timer ends at once and refuses it.
                    timers.addTask {
                        try? await clock.sleep(for: limit)
                        self.state.withLock { $0.machine.expireBatchProducer(id: id) }?.resume(returning: .full)
                    }
                }
            }
            timers.cancelAll()
            return result
        }
    }

    /// Adds an element only if there is room right now; never waits.
    public func tryPush(_ element: Element) -> TryPushResult {
        let action = state.withLock { guarded -> StateMachine.PushAction in
            let action = guarded.machine.push(element)
            switch action {
            case .full, .closed: guarded.machine.refused()
            case .accepted, .deliver: break
            }
            return action
        }
        return complete(action)
    }

    /// Carries out a non-waiting push's action outside the lock: a waiting consumer is resumed
    /// with its elements; the rest is the caller's answer.
    private func complete(_ action: StateMachine.PushAction) -> TryPushResult {
        switch action {
        case .accepted: return .accepted
        case .deliver(let consumer, let elements):
            consumer.resume(returning: elements)
            return .accepted
        case .full: return .full
        case .closed: return .closed
        }
    }

    /// Takes up to `max` elements, waiting while the buffer is empty.
    ///
    /// Returns nil once the buffer is finished and drained, or when the task is cancelled
    /// while waiting.
    public func next(max: Int) async -> [Element]? {
        precondition(max > 0, "next(max:) needs max ≥ 1")
        if let ready = takeNow(max: max) { return ready.isEmpty ? nil : ready }
        let id = state.withLock { guarded -> UInt64 in
            guarded.nextID += 1
            return guarded.nextID
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<[Element]?, Never>) in
                let ready = state.withLock { guarded -> (PopReady?) in
                    if Task.isCancelled { return .value(nil) }
                    switch guarded.machine.pop(max: max) {
                    case .elements(let batch, let producers, let admitted): return .batch(batch, producers, admitted)
                    case .end: return .value(nil)
                    case .wait:
                        guarded.machine.enqueueConsumer(.init(id: id, max: max, continuation: continuation))
                        return nil
                    }
                }
                switch ready {
                case .none: break
                case .value(let value)?: continuation.resume(returning: value)
                case .batch(let batch, let producers, let admitted)?:
                    for producer in producers { producer.resume() }
                    for waiting in admitted { waiting.resume(returning: .accepted) }
                    continuation.resume(returning: batch)
                }
            }
        } onCancel: {
            state.withLock { $0.machine.cancelConsumer(id: id) }?.resume(returning: nil)
        }
    }

    /// Takes up to `max` elements like ``next(max:)``, but once the first has arrived waits up
    /// to `linger` for more, so a consumer under load is woken once per batch rather than once
    /// per element (the `linger.ms` of batching sinks). Returns early when `max` is reached.
    public func next<C: Clock>(max: Int, linger: C.Duration, clock: C) async -> [Element]? where C.Duration == Duration {
        guard var batch = await next(max: max) else { return nil }
        // Two conditions, not one `a < b, c > d` (which swift-format reads as a generic argument list).
        guard batch.count < max else { return batch }
        guard linger > .zero else { return batch }
        try? await clock.sleep(for: linger)
        // Appended in place: a second array, then copying both into a third, cost a large
        // allocation per batch (a fresh mapping, its pages faulted in) on a busy sink.
        let (more, producers, admitted) = state.withLock { guarded in
            var taken: [Element] = []
            swap(&taken, &batch)
            return guarded.machine.popMore(max: max - taken.count, onto: consume taken)
        }
        for producer in producers { producer.resume() }
        for waiting in admitted { waiting.resume(returning: .accepted) }
        return more
    }

    /// Hands a batch taken with ``next(max:)`` back once its consumer is done with it: its
    /// storage is emptied here and filled by a later `next`, so a busy sink does not allocate
    /// (and fault in) a batch-sized array for every batch. Pass the last reference
    /// (`recycle(consume batch)`); a batch still shared elsewhere is simply dropped.
    public func recycle(_ batch: consuming [Element]) {
        var storage = consume batch
        guard storage.capacity <= Self.maxRecycledCapacity else { return }
        // The elements are released here, outside the lock.
        storage.removeAll(keepingCapacity: true)
        let dropped = state.withLock { guarded -> [Element] in
            // Moved through a local of the closure: `consume` of the captured variable itself
            // released the storage a second time.
            var handed: [Element] = []
            swap(&handed, &storage)
            return guarded.machine.keepSpare(consume handed)
        }
        _ = consume dropped
    }

    /// Larger storage than this is not kept (a batch size of 65,536 elements at most is reused).
    static var maxRecycledCapacity: Int { 65_536 }

    public func next(max: Int, linger: Duration) async -> [Element]? {
        await next(max: max, linger: linger, clock: ContinuousClock())
    }

    private enum PopReady {
        case value([Element]?)
        case batch([Element], [StateMachine.ProducerContinuation], [StateMachine.BatchContinuation])
    }

    /// Elements available now; `[]` means finished and empty, nil means "would wait".
    private func takeNow(max: Int) -> [Element]? {
        let action = state.withLock { $0.machine.pop(max: max) }
        switch action {
        case .elements(let batch, let producers, let admitted):
            for producer in producers { producer.resume() }
            for waiting in admitted { waiting.resume(returning: .accepted) }
            return batch
        case .end: return []
        case .wait: return nil
        }
    }

    /// Stops accepting elements. Consumers still receive everything already inside, then nil.
    public func finish() {
        let (producers, batches, consumers) = state.withLock { $0.machine.finish() }
        for producer in producers { producer.resume(throwing: BufferClosedError()) }
        for waiting in batches { waiting.resume(returning: .closed) }
        for consumer in consumers { consumer.resume(returning: nil) }
    }

    public var stats: Stats {
        state.withLock { guarded in
            Stats(
                depth: guarded.machine.depth, capacity: capacity, waitingProducers: guarded.machine.waitingProducers,
                isFinished: guarded.machine.isFinished, counters: guarded.machine.counters
            )
        }
    }
}

/// The buffer has been finished (the process is shutting down) and takes nothing new.
public struct BufferClosedError: Error, Hashable, CustomStringConvertible {
    public init() {}
    public var description: String { "the normalization buffer is closed (shutting down); the record was not accepted" }
}
