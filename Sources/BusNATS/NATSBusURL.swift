/// `nats://HOST:PORT[,HOST:PORT…]` (or `nats://` on each): the servers of one NATS cluster.
public struct NATSBusURL: Sendable, Hashable, CustomStringConvertible {
    public var servers: [String]

    public struct Invalid: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    public init(_ text: String) throws(Invalid) {
        guard text.hasPrefix("nats://") else {
            throw Invalid(description: "bus URL '\(text)': use nats://HOST:PORT[,HOST:PORT…] (a NATS server with JetStream enabled)")
        }
        let hosts = text.dropFirst("nats://".count).split(separator: ",").map { $0.hasPrefix("nats://") ? String($0.dropFirst(7)) : String($0) }
        guard !hosts.isEmpty, hosts.allSatisfy({ host in host.contains(":") && !host.contains("/") && !host.contains(" ") }) else {
            throw Invalid(description: "bus URL '\(text)': every server needs HOST:PORT (4222 is NATS's usual port)")
        }
        servers = hosts.map { "nats://" + $0 }
    }

    /// The servers, without credentials (none are taken from the URL).
    public var description: String { "nats://" + servers.map { String($0.dropFirst(7)) }.joined(separator: ",") }
}
