import Pipeline
import Synchronization

/// A ``BusConsumer`` fed by the test: messages are queued, fetched in order, and every
/// acknowledgement and rejection is recorded — the sink worker's logic without a server.
/// A message fetched and neither acknowledged nor rejected is not delivered again until the test
/// says its ack wait ran out (``redeliverUnacknowledged()``), so a test sees exactly what the
/// worker settled.
public final class ScriptedBusConsumer: BusConsumer {
    private struct State {
        var queued: [BusMessage] = []
        var acknowledged: [UInt64] = []
        var rejected: [UInt64] = []
        var nextDelivery: UInt64 = 0
        var failFetches = 0
        var lastSequence: UInt64 = 0
        /// Fetched, neither acknowledged nor rejected, by stream sequence.
        var outstanding: [UInt64: BusMessage] = [:]
        /// The `max` of each fetch that found messages.
        var fetchLimits: [Int] = []
    }

    private let state = Mutex(State())
    public let location = "scripted-bus"

    public init() {}

    /// Queues a message with this body (its stream sequence is its position, from 1).
    public func enqueue(_ body: [UInt8], subject: String = "tributary.trade.tape", deliveries: Int = 1) {
        state.withLock { state in
            state.lastSequence += 1
            let sequence = state.lastSequence
            state.queued.append(BusMessage(streamSequence: sequence, subject: subject, body: body, deliveries: deliveries, deliveryID: 0))
        }
    }

    /// The next `count` fetches throw (the bus unreachable).
    public func failNextFetches(_ count: Int) { state.withLock { $0.failFetches = count } }

    /// The ack wait of every fetched, unsettled message ran out: they are queued again (in
    /// stream order, ahead of the rest) with one more delivery each.
    public func redeliverUnacknowledged() {
        state.withLock { state in
            let again = state.outstanding.values.sorted { $0.streamSequence < $1.streamSequence }.map { message in
                var message = message
                message.deliveries += 1
                return message
            }
            state.outstanding.removeAll()
            state.queued.insert(contentsOf: again, at: 0)
        }
    }

    public var acknowledgedSequences: [UInt64] { state.withLock { $0.acknowledged } }
    public var rejectedSequences: [UInt64] { state.withLock { $0.rejected } }
    public var queuedCount: Int { state.withLock { $0.queued.count } }
    /// How many messages each fetch that found some asked for.
    public var fetchLimits: [Int] { state.withLock { $0.fetchLimits } }

    struct Unreachable: Error {}

    public func fetch(max: Int, wait: Duration) async throws -> [BusMessage] {
        let taken: [BusMessage]? = try state.withLock { state in
            if state.failFetches > 0 {
                state.failFetches -= 1
                throw Unreachable()
            }
            guard !state.queued.isEmpty else { return nil }
            state.fetchLimits.append(max)
            var batch = Array(state.queued.prefix(max))
            state.queued.removeFirst(batch.count)
            for index in batch.indices {
                state.nextDelivery += 1
                batch[index].deliveryID = batch[index].streamSequence
                state.outstanding[batch[index].streamSequence] = batch[index]
            }
            return batch
        }
        if let taken { return taken }
        try await Task.sleep(for: .milliseconds(5))
        return []
    }

    public func acknowledge(_ messages: [BusMessage]) async throws {
        state.withLock { state in
            state.acknowledged += messages.map(\.streamSequence)
            for message in messages { state.outstanding[message.streamSequence] = nil }
        }
    }

    public func reject(_ message: BusMessage) async throws {
        state.withLock { state in
            state.rejected.append(message.streamSequence)
            state.outstanding[message.streamSequence] = nil
        }
    }

    public func lag() async throws -> BusLag {
        state.withLock { BusLag(pending: $0.queued.count, unacknowledged: 0) }
    }
}
