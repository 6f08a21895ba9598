/// A durable consumer of the record bus (`tributary sink`): at-least-once delivery, so what
/// it fetches is acknowledged only after the store committed it, and a message that can never
/// become a record is rejected (never redelivered) once it is in the dead letters.
public protocol BusConsumer: Sendable {
    /// Up to `max` messages, waiting at most `wait` for the first; empty when none came.
    func fetch(max: Int, wait: Duration) async throws -> [BusMessage]

    /// The store committed them: the bus forgets them.
    func acknowledge(_ messages: [BusMessage]) async throws

    /// A poison message, kept as a dead letter: the bus must not deliver it again.
    func reject(_ message: BusMessage) async throws

    /// The consumer's backlog, for `/metrics` and `cluster status`.
    func lag() async throws -> BusLag

    /// Where the bus is, for messages (no credentials).
    var location: String { get }
}

/// One delivered message.
public struct BusMessage: Sendable {
    /// The message's sequence in its stream (kept with a poison message's dead letter).
    public var streamSequence: UInt64
    public var subject: String
    public var body: [UInt8]
    /// How many times it was delivered (1 the first time).
    public var deliveries: Int
    /// The adapter's handle for acknowledging this delivery.
    public var deliveryID: UInt64

    public init(streamSequence: UInt64, subject: String, body: [UInt8], deliveries: Int, deliveryID: UInt64) {
        self.streamSequence = streamSequence
        self.subject = subject
        self.body = body
        self.deliveries = deliveries
        self.deliveryID = deliveryID
    }
}

/// A consumer's backlog: messages not yet delivered, and delivered but not acknowledged.
public struct BusLag: Sendable, Hashable {
    public var pending: Int
    public var unacknowledged: Int

    public init(pending: Int, unacknowledged: Int) {
        self.pending = pending
        self.unacknowledged = unacknowledged
    }
}
