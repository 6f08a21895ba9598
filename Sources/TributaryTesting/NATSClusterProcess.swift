import Foundation
import Transport
import TributaryCore

/// Three real `nats-server`s with JetStream routed into one cluster on loopback ports (each with
/// its data in a temp directory of its own), for the scale-out tests: streams with three
/// replicas, a node stopped mid-run while the other two keep the quorum.
public final class NATSClusterProcess: Sendable {
    public let nodes: [NATSServerProcess]
    /// Each node's monitoring port (`/jsz`, `/healthz`).
    public let monitorPorts: [Int]

    /// Every node's client URL, as `--bus` takes them.
    public var url: String { "nats://" + nodes.map { "127.0.0.1:\($0.port)" }.joined(separator: ",") }

    /// Starts the three nodes and waits (bounded) until each knows the JetStream meta leader and
    /// the leader sees both other nodes current — until then a stream with three replicas
    /// cannot be placed.
    public static func start(name: String = "tributary") async throws -> NATSClusterProcess {
        let cluster = try NATSClusterProcess(name: name)
        let client = HTTPClient()
        defer { Task { await client.shutdown() } }
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            var leaders = 0
            var quorum = false
            for port in cluster.monitorPorts {
                guard let meta = await Self.metaCluster(monitorPort: port, client: client) else { continue }
                if meta["leader"]?.stringValue?.isEmpty == false { leaders += 1 }
                let current = meta["replicas"]?.arrayValue?.filter { $0["current"] == .bool(true) }.count ?? 0
                if current == cluster.nodes.count - 1 { quorum = true }
            }
            if leaders == cluster.nodes.count, quorum { return cluster }
            try await Task.sleep(for: .milliseconds(200))
        }
        cluster.remove()
        throw NATSServerProcess.Unavailable(description: "the three nats-servers did not elect a JetStream meta leader within 60 s")
    }

    private init(name: String) throws {
        let routePorts = try (0..<3).map { _ in try LoopbackPort.free() }
        let monitorPorts = try (0..<3).map { _ in try LoopbackPort.free() }
        var nodes: [NATSServerProcess] = []
        do {
            for index in 0..<3 {
                let routes = routePorts.indices.filter { $0 != index }.map { "nats://127.0.0.1:\(routePorts[$0])" }.joined(separator: ",")
                nodes.append(
                    try NATSServerProcess(
                        port: try LoopbackPort.free(),
                        extraArguments: [
                            "-n", "n\(index + 1)", "--cluster_name", name, "--cluster", "nats://127.0.0.1:\(routePorts[index])", "--routes", routes,
                            "-m", String(monitorPorts[index]),
                        ]))
            }
        } catch {
            for node in nodes { node.remove() }
            throw error
        }
        self.nodes = nodes
        self.monitorPorts = monitorPorts
    }

    /// Stops every node and removes their data.
    public func remove() {
        for node in nodes { node.remove() }
    }

    /// The node's `/jsz` `meta_cluster` (leader, and the replicas it sees with whether each is current).
    static func metaCluster(monitorPort: Int, client: HTTPClient) async -> JSONValue? {
        guard let response = try? await client.send(HTTPRequest(url: "http://127.0.0.1:\(monitorPort)/jsz")), response.status == 200,
            let json = try? JSONParser.parse(response.body)
        else { return nil }
        return json["meta_cluster"]
    }
}
