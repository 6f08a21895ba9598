import CNATS
import Dispatch
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A connection to a NATS cluster and its JetStream context.
///
/// libnats is a blocking C library with its own threads. Every call that can block (connect,
/// stream administration, a stalled async publish, an acknowledgement) runs on this connection's
/// serial dispatch queue (a pull consumer's fetch on a queue of its own), never on Swift's
/// cooperative pool; publish acknowledgements arrive on
/// libnats's thread and are handed to ``PublishAcks``, which resumes the waiting batch.
/// The connection reconnects forever (a bus that is down is waited for, never a reason to
/// drop a record), and a connect to a bus that is not up yet is retried in the background.
public final class NATSConnection: @unchecked Sendable {
    // The C objects are only touched on `queue` (and by libnats's own threads, which it guards).
    let connectionHandle: SendablePointer
    let jetStreamHandle: SendablePointer
    let acks: PublishAcks
    let queue: DispatchQueue
    public let url: NATSBusURL

    /// Connects (or starts connecting in the background, if no server answers yet).
    public static func connect(_ url: NATSBusURL, name: String) async throws -> NATSConnection {
        let queue = DispatchQueue(label: "tributary.nats.\(name)")
        let acks = PublishAcks()
        let (connection, jetStream) = try await Self.run(on: queue) { () throws(NATSError) -> (SendablePointer, SendablePointer) in
            var options: OpaquePointer?
            try check("natsOptions_Create", natsOptions_Create(&options))
            defer { natsOptions_Destroy(options) }
            var servers = url.servers.map { strdup($0) }
            defer { for server in servers { free(server) } }
            let status = servers.withUnsafeMutableBufferPointer { buffer in
                buffer.baseAddress!.withMemoryRebound(to: UnsafePointer<CChar>?.self, capacity: buffer.count) {
                    natsOptions_SetServers(options, $0, Int32(buffer.count))
                }
            }
            try check("natsOptions_SetServers", status)
            try check("natsOptions_SetName", natsOptions_SetName(options, name))
            try check("natsOptions_SetMaxReconnect", natsOptions_SetMaxReconnect(options, -1))
            try check("natsOptions_SetReconnectWait", natsOptions_SetReconnectWait(options, 250))
            try check("natsOptions_SetTimeout", natsOptions_SetTimeout(options, 2_000))
            // Messages published while disconnected wait in this buffer (8 MiB), then fail with an error.
            try check("natsOptions_SetReconnectBufSize", natsOptions_SetReconnectBufSize(options, 8 << 20))
            try check("natsOptions_SetRetryOnFailedConnect", natsOptions_SetRetryOnFailedConnect(options, true, nil, nil))
            var connection: OpaquePointer?
            let connected = natsConnection_Connect(&connection, options)
            guard connected == NATS_OK || connected == NATS_NOT_YET_CONNECTED, let connection else {
                throw NATSError("connect to \(url)", connected)
            }
            var jsOptions = jsOptions()
            jsOptions_Init(&jsOptions)
            jsOptions.Wait = 5_000
            jsOptions.PublishAsync.MaxPending = 8_192
            jsOptions.PublishAsync.AckHandler = publishAcknowledged
            jsOptions.PublishAsync.AckHandlerClosure = Unmanaged.passUnretained(acks).toOpaque()
            var jetStream: OpaquePointer?
            let status2 = natsConnection_JetStream(&jetStream, connection, &jsOptions)
            guard status2 == NATS_OK, let jetStream else {
                natsConnection_Destroy(connection)
                throw NATSError("JetStream context", status2)
            }
            return (SendablePointer(pointer: connection), SendablePointer(pointer: jetStream))
        }
        return NATSConnection(connection: connection, jetStream: jetStream, acks: acks, queue: queue, url: url)
    }

    private init(connection: SendablePointer, jetStream: SendablePointer, acks: PublishAcks, queue: DispatchQueue, url: NATSBusURL) {
        self.connectionHandle = connection
        self.jetStreamHandle = jetStream
        self.acks = acks
        self.queue = queue
        self.url = url
    }

    /// The largest message body to publish: the server's `max_payload` (1 MiB by default) less
    /// room for headers, and at most 512 KiB, so one message never holds up the connection long.
    var maxMessageBytes: Int {
        let server = Int(natsConnection_GetMaxPayload(connectionHandle.pointer))
        return min(512 << 10, (server > 0 ? server : 1 << 20) - 4096)
    }

    /// Whether the client is connected right now (for `/ready` and messages).
    public var isConnected: Bool { natsConnection_Status(connectionHandle.pointer) == NATS_CONN_STATUS_CONNECTED }

    /// Runs a blocking libnats call on the connection's queue, or on `other` (a fetch that waits
    /// for messages must not hold up the acknowledgements queued behind it; libnats guards its
    /// objects itself).
    func blocking<T: Sendable>(on other: DispatchQueue? = nil, _ body: @escaping @Sendable () throws(NATSError) -> T) async throws -> T {
        try await Self.run(on: other ?? queue, body)
    }

    private static func run<T: Sendable>(on queue: DispatchQueue, _ body: @escaping @Sendable () throws(NATSError) -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                do { continuation.resume(returning: try body()) } catch { continuation.resume(throwing: error) }
            }
        }
    }

    /// Waits for what is in flight, then closes. Idempotent.
    public func close() async {
        let (connection, jetStream) = (connectionHandle, jetStreamHandle)
        _ = try? await blocking { () throws(NATSError) in
            var options = jsPubOptions()
            jsPubOptions_Init(&options)
            options.MaxWait = 5_000
            _ = js_PublishAsyncComplete(jetStream.pointer, &options)
            natsConnection_Close(connection.pointer)
        }
    }

    deinit {
        jsCtx_Destroy(jetStreamHandle.pointer)
        natsConnection_Destroy(connectionHandle.pointer)
    }
}

/// libnats's publish-acknowledgement callback (C): hands the outcome to the connection's
/// ``PublishAcks`` and frees the message, as the library asks.
private let publishAcknowledged: jsPubAckHandler = { _, message, ack, error, closure in
    defer { natsMsg_Destroy(message) }
    guard let closure else { return }
    let acks = Unmanaged<PublishAcks>.fromOpaque(closure).takeUnretainedValue()
    var batchText: UnsafePointer<CChar>?
    guard natsMsgHeader_Get(message, PublishAcks.batchHeader, &batchText) == NATS_OK, let batchText,
        let batch = UInt64(String(cString: batchText))
    else { return }
    var eventsText: UnsafePointer<CChar>?
    let records = natsMsgHeader_Get(message, PublishAcks.eventsHeader, &eventsText) == NATS_OK ? eventsText.flatMap { Int(String(cString: $0)) } ?? 1 : 1
    if let ack {
        acks.settle(batch: batch, records: records, outcome: ack.pointee.Duplicate ? .duplicate : .stored)
    } else {
        let serverText = error.flatMap { $0.pointee.ErrText.map { String(cString: $0) } }
        let text = serverText ?? error.map { String(cString: natsStatus_GetText($0.pointee.Err)) } ?? "no acknowledgement"
        acks.settle(batch: batch, records: records, outcome: .failed(text))
    }
}
