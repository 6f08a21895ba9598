import CNATS
import Dispatch
import Pipeline
import Synchronization

/// `tributary sink`: a durable pull consumer on the record stream, shared by every sink process
/// that names the same consumer (JetStream hands each message to one of them).
///
/// Messages are held (not acknowledged) until ``acknowledge(_:)`` — after the store committed
/// them; one not acknowledged within `ackWait` is delivered again, to this or another sink, which
/// the store's idempotent upsert makes harmless.
public final class NATSPullConsumer: BusConsumer, @unchecked Sendable {
    let connection: NATSConnection
    // Fetched from on `fetchQueue`, settled on the connection's queue (libnats locks the
    // subscription), so a fetch waiting for messages never delays the acknowledgements of the
    // batch committed meanwhile.
    let subscription: OpaquePointer
    private let fetchQueue: DispatchQueue
    public let stream: String
    public let durable: String
    /// Messages fetched and not yet settled (owned by this consumer), by delivery id.
    private let held = Mutex<(next: UInt64, messages: [UInt64: SendablePointer])>((0, [:]))

    public var location: String { "\(connection.url) stream \(stream) consumer \(durable)" }

    /// Binds to (creating if missing) the durable consumer `durable` on `stream`.
    public static func open(
        _ connection: NATSConnection, stream: NATSStream, durable: String, ackWait: Duration = .seconds(60), maxAckPending: Int = 20_000
    ) async throws -> NATSPullConsumer {
        let (name, wait) = (stream.name, Int64(ackWait / .milliseconds(1)) * 1_000_000)
        let subscription = try await JetStreamSetup.retrying {
            try await Self.subscribe(connection, stream: name, durable: durable, ackWait: wait, maxAckPending: maxAckPending)
        }
        return NATSPullConsumer(connection: connection, subscription: subscription.pointer, stream: name, durable: durable)
    }

    /// One attempt of ``open(_:stream:durable:ackWait:maxAckPending:)``: binds to or creates the consumer.
    private static func subscribe(
        _ connection: NATSConnection, stream name: String, durable: String, ackWait wait: Int64, maxAckPending: Int
    ) async throws -> SendablePointer {
        let jetStream = connection.jetStreamHandle
        return try await connection.blocking { () throws(NATSError) -> SendablePointer in
            var options = jsSubOptions()
            jsSubOptions_Init(&options)
            var code = jsErrCode(rawValue: 0)
            var subscription: OpaquePointer?
            let status = name.withCString { streamName in
                options.Stream = streamName
                options.Config.AckWait = wait
                options.Config.MaxAckPending = Int64(maxAckPending)
                options.Config.DeliverPolicy = js_DeliverAll
                options.Config.AckPolicy = js_AckExplicit
                return js_PullSubscribe(&subscription, jetStream.pointer, "tributary.>", durable, nil, &options, &code)
            }
            try check("pull consumer \(durable) on stream \(name)", status, code)
            guard let subscription else { throw NATSError("pull consumer \(durable)", NATS_ERR) }
            return SendablePointer(pointer: subscription)
        }
    }

    private init(connection: NATSConnection, subscription: OpaquePointer, stream: String, durable: String) {
        self.connection = connection
        self.subscription = subscription
        self.stream = stream
        self.durable = durable
        self.fetchQueue = DispatchQueue(label: "tributary.nats.fetch.\(durable)")
    }

    public func fetch(max: Int, wait: Duration) async throws -> [BusMessage] {
        let subscription = SendablePointer(pointer: subscription)
        let timeout = Swift.max(1, Int64(wait / .milliseconds(1)))
        let fetched = try await connection.blocking(on: fetchQueue) { () throws(NATSError) -> [SendablePointer] in
            var list = natsMsgList()
            var code = jsErrCode(rawValue: 0)
            let status = natsSubscription_Fetch(&list, subscription.pointer, Int32(max), timeout, &code)
            if status == NATS_TIMEOUT { return [] }
            try check("fetch", status, code)
            var taken: [SendablePointer] = []
            for index in 0..<Int(list.Count) {
                if let message = list.Msgs[index] { taken.append(SendablePointer(pointer: message)) }
                list.Msgs[index] = nil
            }
            natsMsgList_Destroy(&list)
            return taken
        }
        return held.withLock { held in
            fetched.map { message in
                held.next += 1
                held.messages[held.next] = message
                var meta: UnsafeMutablePointer<jsMsgMetaData>?
                var sequence: UInt64 = 0
                var deliveries = 1
                if natsMsg_GetMetaData(&meta, message.pointer) == NATS_OK, let meta {
                    sequence = meta.pointee.Sequence.Stream
                    deliveries = Int(meta.pointee.NumDelivered)
                    jsMsgMetaData_Destroy(meta)
                }
                let length = Int(natsMsg_GetDataLength(message.pointer))
                let body = natsMsg_GetData(message.pointer).map { data in
                    data.withMemoryRebound(to: UInt8.self, capacity: length) { Array(UnsafeBufferPointer(start: $0, count: length)) }
                }
                return BusMessage(
                    streamSequence: sequence, subject: String(cString: natsMsg_GetSubject(message.pointer)), body: body ?? [], deliveries: deliveries,
                    deliveryID: held.next)
            }
        }
    }

    public func acknowledge(_ messages: [BusMessage]) async throws {
        try await settle(messages) { natsMsg_Ack($0, nil) }
    }

    public func reject(_ message: BusMessage) async throws {
        try await settle([message]) { natsMsg_Term($0, nil) }
    }

    private func settle(_ messages: [BusMessage], _ action: @escaping @Sendable (OpaquePointer) -> natsStatus) async throws {
        let taken = held.withLock { held in messages.compactMap { held.messages.removeValue(forKey: $0.deliveryID) } }
        try await connection.blocking { () throws(NATSError) in
            var failure: natsStatus?
            for message in taken {
                let status = action(message.pointer)
                if status != NATS_OK, failure == nil { failure = status }
                natsMsg_Destroy(message.pointer)
            }
            // Not acknowledged: the stream delivers them again after the ack wait (harmless).
            if let failure { throw NATSError("acknowledge", failure) }
        }
    }

    public func lag() async throws -> BusLag {
        let jetStream = connection.jetStreamHandle
        let (stream, durable) = (stream, durable)
        return try await connection.blocking { () throws(NATSError) -> BusLag in
            var info: UnsafeMutablePointer<jsConsumerInfo>?
            var code = jsErrCode(rawValue: 0)
            try check("consumer info \(durable)", js_GetConsumerInfo(&info, jetStream.pointer, stream, durable, nil, &code), code)
            defer { jsConsumerInfo_Destroy(info) }
            guard let info else { return BusLag(pending: 0, unacknowledged: 0) }
            return BusLag(pending: Int(info.pointee.NumPending), unacknowledged: Int(info.pointee.NumAckPending))
        }
    }

    deinit {
        let held = held.withLock { $0.messages.values.map(\.pointer) }
        for message in held { natsMsg_Destroy(message) }
        natsSubscription_Destroy(subscription)
    }
}
