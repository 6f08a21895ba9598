import App
import ArgumentParser
import Engine
import Foundation
import Hummingbird
import Logging
import Pipeline
import Service
import ServiceLifecycle
import TributaryCore
import UnixSignals

/// `tributary sink --bus URL --store URL`: stores what `run --bus` publishes. Any number of sink
/// processes may share one durable consumer (one per store): each message goes to one of them,
/// is acknowledged after the store committed it, and is delivered again if a sink dies first.
struct SinkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sink",
        abstract: "Store the records a bus carries: a durable NATS JetStream consumer into the store.",
        discussion: """
            Pairs with `tributary run --bus URL`: run polls and publishes, sinks store. Start as many sinks as the store \\
            can take; they share the consumer. A message that is not a record goes to the dead letters with its stream \\
            sequence; while the store is unavailable the batch is held and the bus keeps the rest.
            """
    )

    @Option(help: "The bus: nats://HOST:PORT[,HOST:PORT…] (bus.url / TRIBUTARY_BUS_URL).")
    var bus: String?

    @Option(help: "The store: sqlite:PATH, a file path or postgres://… (store.url / TRIBUTARY_STORE_URL, else store.path).")
    var store: String?

    @Option(help: "Engine settings file (YAML).", completion: Completions.yamlFiles)
    var config: String?

    @Option(help: "The durable consumer's name; sinks with the same name share the work (default: tributary-sink).")
    var consumer = "tributary-sink"

    @Option(help: "Records per store transaction, about (a fetch asks for this many divided by the events per message of the last batch).")
    var batch = 500

    @Option(help: "Serve /health, /ready and /metrics (with the consumer's lag) on this 127.0.0.1 port; 0 picks one. Default: none.")
    var port: Int?

    @Option(name: .customLong("for"), help: "Stop by itself after this many seconds.")
    var duration: Int?

    func validate() throws {
        guard (1...100_000).contains(batch) else { throw ValidationError("--batch must be 1…100000") }
        if let duration, duration < 1 { throw ValidationError("--for must be at least 1 second") }
        if let port, !(0...65_535).contains(port) { throw ValidationError("--port \(port): allowed 0…65535") }
        guard consumer.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }), !consumer.isEmpty else {
            throw ValidationError("--consumer '\(consumer)': letters, digits, - and _ only")
        }
    }

    func run() async throws {
        var settings = try await ServiceSettings.load(config: config, store: store)
        if let bus { settings.busURL = bus }
        guard let busURL = settings.busURL, !busURL.isEmpty else {
            throw CLIError("sink: no bus (pass --bus nats://HOST:PORT, or set bus.url / TRIBUTARY_BUS_URL)")
        }
        LoggingSystem.bootstrap { LogfmtLogHandler(label: $0, level: .notice) }
        let logger = Logger(label: "tributary.sink")
        let metrics = MetricsExporter()
        metrics.bootstrap()
        let storeURL = try settings.store()
        let recordStore = try await settings.openStore()
        let connection: BusFactory.Connection
        do {
            connection = try await BusFactory.connect(busURL, name: "tributary-sink", replicas: settings.busReplicas)
        } catch {
            throw CLIError("cannot use the bus \(busURL): \(error) (is nats-server running with JetStream, -js?)")
        }
        let consumer = try await connection.consumer(durable: consumer)
        let readiness = Readiness()
        var worker = BusSinkWorker(consumer: consumer, store: recordStore, batchSize: batch)
        // News articles are kept as documents with chunks here, as `run` does without a bus.
        worker.extras = [NewsDocumentSink(store: recordStore)]
        worker.logger = logger
        SinkMetrics().register()
        worker.onStoreHealth = { problem in
            readiness.storeProblem(problem?.reason)
            if let problem {
                logger.error(
                    "store unavailable; holding the batch, the bus keeps the rest", metadata: ["store": "\(problem.location)", "reason": "\(problem.reason)"])
            } else {
                logger.notice("store writable again", metadata: ["store": "\(storeURL)"])
            }
        }
        worker.onBusHealth = { error in
            readiness.busProblem(error.map { "\($0)" })
            if let error { logger.error("bus fetch failed; retrying", metadata: ["bus": "\(connection.location)", "error": "\(error)"]) }
        }
        let totals = LatestValue(BusSinkWorker.Totals())
        worker.onBatch = { totals.set($0) }
        Console.line("tributary sink: \(consumer.location) → \(storeURL); SIGTERM or Ctrl-C to stop")

        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: BusSinkService(worker: worker, report: { totals.set($0) }), successTerminationBehavior: .gracefullyShutdownGroup)
        ]
        if let port {
            var httpLogger = Logger(label: "tributary.http")
            httpLogger.logLevel = .warning
            let app = BusSinkApplication.make(
                host: settings.httpHost, port: port, metrics: metrics, consumer: consumer, store: recordStore, readiness: readiness, logger: httpLogger
            ) { actual in
                readiness.enter(.serving)
                Console.line("status: http://127.0.0.1:\(actual)/metrics (also /health /ready)")
            }
            services.insert(.init(service: app), at: 0)
        } else {
            readiness.enter(.serving)
        }
        if let duration {
            services.append(.init(service: StopAfter(duration: .seconds(duration), onStop: {}), successTerminationBehavior: .gracefullyShutdownGroup))
        }
        var configuration = ServiceGroupConfiguration(
            services: services, logger: Logger(label: "tributary.lifecycle", factory: { _ in SwiftLogNoOpLogHandler() }))
        configuration.gracefulShutdownSignals = [.sigterm, .sigint]
        try await ServiceGroup(configuration: configuration).run()
        let final = totals.value
        let lag = try? await consumer.lag()
        await connection.close()
        Console.line(
            "tributary sink: stopped; messages \(final.messages) in \(final.batches) batches, stored \(final.stored) (\(final.stored - final.revisions) new, \(final.revisions) revisions), duplicates \(final.duplicates), dead-lettered \(final.deadLettered), redelivered \(final.redelivered)\(final.extraFailures > 0 ? ", batches the documents sink failed to take \(final.extraFailures)" : "")\(final.unkept > 0 ? ", refused by the store and not kept as dead letters \(final.unkept) (left on the bus for redelivery)" : ""); lag \(lag.map { "\($0.pending) pending, \($0.unacknowledged) unacknowledged" } ?? "unknown")"
        )
    }
}

/// Runs a ``BusSinkWorker`` until the group shuts down; the batch in hand is committed and
/// acknowledged (or left for redelivery) before it returns.
struct BusSinkService: Service {
    let worker: BusSinkWorker
    let report: @Sendable (BusSinkWorker.Totals) -> Void

    func run() async throws {
        let worker = self.worker
        let task = Task { await worker.run() }
        let totals = await withTaskCancellationOrGracefulShutdownHandler {
            await task.value
        } onCancelOrGracefulShutdown: {
            task.cancel()
        }
        report(totals)
    }
}
