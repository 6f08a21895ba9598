import App
import ArgumentParser
import Engine
import Foundation
import Pipeline
import Service
import TributaryCore

/// `tributary cluster status`: the instances sharing the poll jobs, who holds which job's lease,
/// and how far each sink consumer is behind — read from the bus, so it works from any machine
/// that can reach it, with every instance up or not.
struct ClusterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cluster",
        abstract: "Instances, poll-job leases and sink lag of the run --bus instances sharing a bus.",
        subcommands: [Status.self]
    )

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the live instances, each poll job's lease holder and each sink consumer's lag.")

        @Option(help: "The bus: nats://HOST:PORT[,HOST:PORT…] (bus.url / TRIBUTARY_BUS_URL).")
        var bus: String?

        @Option(help: "Engine settings file (YAML).", completion: Completions.yamlFiles)
        var config: String?

        func run() async throws {
            var settings = try await ServiceSettings.load(config: config, store: nil)
            if let bus { settings.busURL = bus }
            guard let busURL = settings.busURL, !busURL.isEmpty else {
                throw CLIError("cluster status needs the bus: --bus nats://HOST:PORT (or bus.url / TRIBUTARY_BUS_URL)")
            }
            let connection: BusFactory.Connection
            do { connection = try await BusFactory.connect(busURL, name: "tributary-cluster-status", replicas: settings.busReplicas) } catch {
                throw CLIError("cannot use the bus \(busURL): \(error) (is nats-server running with JetStream, -js?)")
            }
            let bucket = try await connection.leaseStore(ttl: settings.busLeaseTTL)
            let (holders, instances, _, released) = LeaseCoordinator<ContinuousClock>.read(try await bucket.entries())
            let lags = try await connection.consumerLags()
            await connection.close()

            print("bus: \(connection.location); leases live \(DurationText.format(bucket.ttl)) without renewal")
            print("instances (\(instances.count)):")
            for instance in instances.sorted() {
                print("  \(instance)  holds \(holders.values.filter { $0.owner == instance }.count) job(s)")
            }
            if instances.isEmpty { print("  none: no run --bus instance has announced itself within the lease TTL") }
            print("leases (\(holders.count)):")
            for (job, holder) in holders.sorted(by: { $0.key < $1.key }) {
                let alive = instances.contains(holder.owner) ? "" : "  (holder not announced: lapsing)"
                print("  \(job)  →  \(holder.owner)\(alive)")
            }
            if !released.isEmpty { print("handed back, free to claim: \(released.count)") }
            print("sink consumers (\(lags.count)):")
            for consumer in lags.sorted(by: { $0.name < $1.name }) {
                print("  \(consumer.name)  pending \(consumer.lag.pending), unacknowledged \(consumer.lag.unacknowledged)")
            }
        }
    }
}
