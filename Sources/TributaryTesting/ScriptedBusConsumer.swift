import Pipeline
import Synchronization

/// A ``BusConsumer`` fed by the test: messages are queued, fetched in order, and every
/// acknowledgement and rejection is recorded — the sink worker's logic without a server.
/// A message fetched and neither acknowledged nor rejected is not delivered again (as the real
/// bus does only after its ack wait), so a test sees exactly what the worker settled.
public final class ScriptedBusConsumer: BusConsumer {
    private struct State {
        var queued: [BusMessage] = []
        var acknowledged: [UInt64] = []
        var rejected: [UInt64] = []
        var nextDelivery: UInt64 = 0
        var failFetches = 0
    }

    private let state = Mutex(State())
    public let location = "scripted-bus"

    public init() {}

    /// Queues a message with this body (its stream sequence is its position, from 1).
    public func enqueue(_ body: [UInt8], subject: String = "tributary.trade.tape", deliveries: Int = 1) {
        state.withLock { state in
            let sequence = UInt64(state.queued.count + state.acknowledged.count + state.rejected.count + 1)
            state.queued.append(BusMessage(streamSequence: sequence, subject: subject, body: body, deliveries: deliveries, deliveryID: 0))
        }
    }

    /// The next `count` fetches throw (the bus unreachable).
    public func failNextFetches(_ count: Int) { state.withLock { $0.failFetches = count } }

    public var acknowledgedSequences: [UInt64] { state.withLock { $0.acknowledged } }
    public var rejectedSequences: [UInt64] { state.withLock { $0.rejected } }
    public var queuedCount: Int { state.withLock { $0.queued.count } }

    struct Unreachable: Error {}

    public func fetch(max: Int, wait: Duration) async throws -> [BusMessage] {
        let taken: [BusMessage]? = try state.withLock { state in
            if state.failFetches > 0 {
                state.failFetches -= 1
                throw Unreachable()
            }
            guard !state.queued.isEmpty else { return nil }
            var batch = Array(state.queued.prefix(max))
            state.queued.removeFirst(batch.count)
            for index in batch.indices {
                state.nextDelivery += 1
                batch[index].deliveryID = batch[index].streamSequence
            }
            return batch
        }
        if let taken { return taken }
        try await Task.sleep(for: .milliseconds(5))
        return []
    }

    public func acknowledge(_ messages: [BusMessage]) async throws {
        state.withLock { $0.acknowledged += messages.map(\.streamSequence) }
    }

    public func reject(_ message: BusMessage) async throws {
        state.withLock { $0.rejected.append(message.streamSequence) }
    }

    public func lag() async throws -> BusLag {
        state.withLock { BusLag(pending: $0.queued.count, unacknowledged: 0) }
    }
}
