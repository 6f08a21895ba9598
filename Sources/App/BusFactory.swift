import BusNATS
import Pipeline

/// Connects to the record bus a URL names: the one place that turns `--bus` into an adapter.
///
/// Without a bus, `run` writes to its store in-process (the default); with one, it publishes
/// every record to the bus and `tributary sink` processes store them.
public enum BusFactory {
    /// A bus a process publishes to or consumes from, and how to close it.
    public struct Connection: Sendable {
        let nats: NATSConnection
        let stream: NATSStream
        /// Records of one subject per published message, at most.
        let eventsPerMessage: Int
        /// Where it is, for messages (no credentials).
        public var location: String { nats.url.description }
        /// Whether the client is connected right now.
        public var isConnected: Bool { nats.isConnected }

        /// The sink `run` drains its buffer into: a batch returns once the stream acknowledged it.
        public func publisher() -> any RecordSink { NATSRecordPublisher(connection: nats, eventsPerMessage: eventsPerMessage) }

        /// The durable consumer `tributary sink` drains (shared by every sink with this name).
        public func consumer(durable: String) async throws -> any BusConsumer {
            try await NATSPullConsumer.open(nats, stream: stream, durable: durable)
        }

        /// The key-value bucket where instances sharing the poll jobs hold their leases
        /// (created with `ttl` and the stream's replicas when missing).
        ///
        /// It has a connection of its own: a lease round that waits on a bus that does not answer
        /// must not hold up the publishing of records queued behind it, nor they the round.
        public func leaseStore(ttl: Duration, name: String = "TRIBUTARY_LEASES") async throws -> any LeaseStore {
            let own = try await NATSConnection.connect(nats.url, name: "tributary-leases")
            return try await NATSLeaseStore.open(on: own, name: name, ttl: ttl, replicas: stream.replicas)
        }

        /// The stream's durable consumers (one per store) and how far each is behind.
        public func consumerLags() async throws -> [(name: String, lag: BusLag)] {
            try await stream.consumers(on: nats)
        }

        /// Waits for publishes in flight, then disconnects.
        public func close() async { await nats.close() }
    }

    /// Connects to `url` (`nats://HOST:PORT[,HOST:PORT…]`) and makes sure the stream exists
    /// (`replicas` copies when it has to be created); publishers send up to `eventsPerMessage`
    /// records per message.
    public static func connect(_ url: String, name: String, replicas: Int = 1, eventsPerMessage: Int = 100) async throws -> Connection {
        let parsed = try NATSBusURL(url)
        let nats = try await NATSConnection.connect(parsed, name: name)
        let stream = NATSStream(replicas: replicas)
        try await stream.ensure(on: nats)
        return Connection(nats: nats, stream: stream, eventsPerMessage: eventsPerMessage)
    }
}
