import CNATS
import Pipeline
import TributaryCore

/// `run --bus nats://…`: the sink the buffer drains into publishes each batch to the stream
/// as CloudEvents — up to `eventsPerMessage` records of one subject per message (see
/// ``CloudEventBatch``) — asynchronously, and returns only when the stream acknowledged every
/// message.
///
/// A record counts as delivered only when its message is acknowledged; a duplicate message (the
/// same id inside the stream's duplicate window: a batch published again, or with one event per
/// message the same source and content hash) is acknowledged as such and its records counted
/// as duplicates. When any message of a batch is not acknowledged — the bus is down, slow, or
/// refused it — the batch throws ``StoreUnavailable``: the sink worker holds it and publishes it
/// again (the message ids make the retry harmless), `/ready` reports why, the buffer fills, and
/// polling slows and pushes are answered 429 — nothing is dropped.
public struct NATSRecordPublisher: RecordSink {
    public let connection: NATSConnection
    /// How long one message's acknowledgement may take before the batch is retried.
    public var ackTimeout: Duration = .seconds(10)
    /// Records per message, at most (1: a message per record).
    public var eventsPerMessage: Int

    public init(connection: NATSConnection, eventsPerMessage: Int = 100) {
        self.connection = connection
        self.eventsPerMessage = eventsPerMessage
    }

    public func write(_ batch: [Envelope]) async throws -> SinkWriteResult {
        guard !batch.isEmpty else { return SinkWriteResult(stored: 0) }
        // Disconnected: say so at once rather than after the acknowledgement timeout, so a
        // shutdown spills what the bus cannot take within its deadline.
        guard connection.isConnected else {
            throw StoreUnavailable(location: connection.url.description, reason: "not connected to the bus (reconnecting); holding the records")
        }
        let acks = connection.acks
        let messages = CloudEventBatch.messages(batch, maxEvents: eventsPerMessage, maxBytes: connection.maxMessageBytes)
        let number = acks.open(count: messages.count)
        let jetStream = connection.jetStreamHandle
        let maxWait = Int64(ackTimeout / .milliseconds(1))
        try await connection.blocking { () throws(NATSError) in
            var options = jsPubOptions()
            jsPubOptions_Init(&options)
            options.MaxWait = maxWait
            for message in messages {
                var msg: OpaquePointer?
                var status = message.body.withUnsafeBufferPointer { body in
                    let data = body.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) }
                    return natsMsg_Create(&msg, message.subject, nil, data, Int32(body.count))
                }
                if status == NATS_OK { status = natsMsgHeader_Set(msg, "Nats-Msg-Id", message.id) }
                if status == NATS_OK { status = natsMsgHeader_Set(msg, PublishAcks.batchHeader, String(number)) }
                if status == NATS_OK { status = natsMsgHeader_Set(msg, PublishAcks.eventsHeader, String(message.events)) }
                if status == NATS_OK, message.events > 1 { status = natsMsgHeader_Set(msg, "Content-Type", CloudEventBatch.contentType) }
                if status == NATS_OK { status = js_PublishMsgAsync(jetStream.pointer, &msg, &options) }
                if status != NATS_OK {
                    // Not handed to libnats: no callback will come for it.
                    natsMsg_Destroy(msg)
                    acks.settle(batch: number, records: message.events, outcome: .failed(String(cString: natsStatus_GetText(status))))
                }
            }
        }
        let tally = await acks.wait(number)
        if let failure = tally.failures.first {
            throw StoreUnavailable(
                location: connection.url.description,
                reason:
                    "\(tally.unacknowledged) of \(batch.count) records not acknowledged by the stream (\(failure)); is JetStream up? Holding them and publishing again"
            )
        }
        return SinkWriteResult(stored: tally.stored, duplicates: tally.duplicates)
    }
}
