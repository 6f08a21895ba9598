import App
import ArgumentParser
import Connectors
import Engine
import Features
import Foundation
import Logging
import MockMarket
import Pipeline
import Resilience
import Service
import ServiceLifecycle
import Transport
import TributaryCore

/// `tributary run`: the long-running aggregator — every source polled on its Sources.d schedule
/// through its resilience layer into the buffer, drained into the SQLite store, with the HTTP
/// surface (/health, /ready, /metrics, /sources, /records/latest) beside it.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Poll every source on its schedule into the store until SIGTERM or SIGINT.",
        discussion: """
            Engine settings come from tributary.yaml (--config, TRIBUTARY_CONFIG, or ./tributary.yaml when present), \
            then TRIBUTARY_… environment variables (TRIBUTARY_STORE_PATH, TRIBUTARY_HTTP_PORT, …), then these flags; \
            `tributary settings` shows the result.

            On SIGTERM/SIGINT it stops scheduling, lets polls in flight finish, drains the buffer into the store and \
            exits 0 within shutdown.deadline (default 10s); a second signal exits at once.

            --demo starts the mock market in-process with a fault schedule and points the providers it serves at it \
            (no keys, no internet); a source of your own in TRIBUTARY_SOURCES_DIR keeps its base URL.
            """
    )

    @Flag(help: "Run against the built-in mock market (no keys, no internet), with injected faults.")
    var demo = false

    @Option(help: "Engine settings file (YAML). Default: TRIBUTARY_CONFIG, else ./tributary.yaml if it exists.", completion: Completions.yamlFiles)
    var config: String?

    @Option(help: "The store: sqlite:PATH or a file path (store.url / TRIBUTARY_STORE_URL, else store.path; default data/tributary.sqlite).")
    var store: String?

    @Option(help: "Port of the HTTP surface on 127.0.0.1 (http.port; default 8080); 0 picks a free one.")
    var port: Int?

    @Option(
        help:
            "Publish every record to this NATS JetStream bus instead of writing the store in-process: nats://HOST:PORT[,HOST:PORT…] (bus.url / TRIBUTARY_BUS_URL). `tributary sink` processes store them."
    )
    var bus: String?

    @Option(help: "How long a graceful shutdown may take, e.g. 10s (shutdown.deadline).")
    var shutdownDeadline: String?

    @Option(name: .customLong("for"), help: "Stop by itself after this many seconds (graceful shutdown).")
    var duration: Int?

    @Option(name: .customLong("sink"), help: "Also write every record to another sink: jsonl:PATH (jsonl:- for standard output). Repeatable.")
    var sinks: [String] = []

    @Option(name: .customLong("only"), help: "Poll only this source (repeatable); default: every source with a poll schedule.", completion: Completions.sources)
    var only: [String] = []

    @Option(help: "Compute the feature sets in this directory as records are stored (e.g. Features.d; default: TRIBUTARY_FEATURES_DIR; none: no features).")
    var features: String?

    @Option(help: "Seconds between summary lines.")
    var summaryEvery = 5

    @Option(help: "Log level of the logfmt lines on standard error: trace, debug, info, notice, warning, error.")
    var logLevel = "notice"

    func validate() throws {
        if let duration, duration < 1 { throw ValidationError("--for must be at least 1 second") }
        guard summaryEvery >= 1 else { throw ValidationError("--summary-every must be at least 1") }
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level '\(logLevel)': use trace, debug, info, notice, warning or error")
        }
        for sink in sinks where !sink.hasPrefix("jsonl:") || sink.count <= 6 {
            throw ValidationError("--sink '\(sink)': use jsonl:PATH (or jsonl:- for standard output)")
        }
    }

    func run() async throws {
        let settings = try await loadSettings()
        // Before anything is printed or started: a taken port is the most common start-up failure.
        if settings.httpPort != 0, let problem = LoopbackPort.bindProblem(host: settings.httpHost, port: settings.httpPort) {
            let what = problem == EADDRINUSE ? "is in use by another process" : "cannot be listened on (\(String(cString: strerror(problem))))"
            throw CLIError(
                "port \(settings.httpPort) on \(settings.httpHost) \(what): stop that process, or choose another with --port N (or http.port / TRIBUTARY_HTTP_PORT; 0 picks a free one)"
            )
        }
        let level = Logger.Level(rawValue: logLevel) ?? .notice
        LoggingSystem.bootstrap { LogfmtLogHandler(label: $0, level: level) }
        let logger = Logger(label: "tributary")
        let metrics = MetricsExporter()
        metrics.bootstrap()

        var environment = try await RuntimeEnvironment.load()
        let catalog = SourceCatalog(directories: SourceDirectories.search(environment: environment))
        for problem in catalog.problems { logger.warning("source not polled: invalid definition", metadata: ["problem": "\(problem)"]) }
        for problem in catalog.pollProblems() { logger.warning("a poll will fail on every run: fix its Sources.d entry", metadata: ["problem": "\(problem)"]) }
        for id in only where catalog.definitions[SourceID(id)] == nil {
            throw CLIError(
                "--only \(id): no such source\(ClosestMatch.suggestion(id, in: catalog.sourceIDs.map(\.rawValue))) (sources: \(catalog.sourceIDs.map(\.rawValue).joined(separator: ", ")))"
            )
        }

        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        do {
            // First in, last out: the exporter flushes the spans of the drain before it stops.
            if let traces = try TraceExport.bootstrap(logger: logger) { services.append(.init(service: traces, serviceName: "traces")) }
        } catch {
            throw CLIError("OpenTelemetry: \(error) (check the OTEL_EXPORTER_OTLP_* variables)")
        }
        var baseURLs: [SourceID: String] = [:]
        if demo {
            let port = try LoopbackPort.free()
            let market = MockMarket(seed: 42, faults: DemoFaults.schedule)
            services.append(.init(service: market.application(port: port, logLevel: .warning), serviceName: "mock market"))
            let mock = "http://127.0.0.1:\(port)"
            // Only the providers the mock serves; a source of the user's own keeps its base URL.
            for (id, definition) in catalog.definitions where MockMarket.providers.contains(id.rawValue) {
                let path = URL(string: definition.baseURL ?? "")?.path ?? ""
                baseURLs[id] = mock + "/" + id.rawValue + (path == "/" ? "" : path)
            }
            for (name, value) in DemoFaults.keys where environment[name] == nil { environment[name] = value }
            Console.line("demo: mock market at \(mock) (faults: \(DemoFaults.schedule.map(\.description).joined(separator: ", ")))")
        }

        let onlySources: Set<SourceID>? = only.isEmpty ? nil : Set(only.map { SourceID($0) })
        let storeURL = try settings.store()
        let store: any RecordStore
        do {
            store = try await settings.openStore()
        } catch {
            logger.critical("cannot open the store", metadata: ["store": "\(storeURL)", "error": "\(error)"])
            throw CLIError("cannot open the store \(storeURL): \(error)")
        }
        var pool = PoolConfiguration()
        pool.maxConnections = settings.poolMaxConnections
        pool.maxConnectionsPerHost = settings.poolMaxPerHost
        let client = HTTPClient(configuration: pool)
        let buffer = NormalizationBuffer<Envelope>(capacity: settings.bufferCapacity)
        let readiness = Readiness()
        // The demo compresses time: every source polled at least every 5 s, breakers open for 8 s,
        // so throttling, an outage and its recovery all show within half a minute.
        let engine = IngestionEngine(
            catalog: catalog, environment: environment, transport: client, buffer: buffer, baseURL: { baseURLs[$0] },
            maxPeriod: demo ? .seconds(5) : nil, deadLetters: store, logger: logger,
            only: onlySources,
            adjust: { settings in if demo { settings.breaker.openDuration = min(settings.breaker.openDuration, .seconds(8)) } })
        Console.line("tributary run: \(engine.jobs.count) polls over \(engine.guards.count) sources into \(storeURL); SIGTERM or Ctrl-C to stop")

        let sinkTotals = LatestValue(SinkWorker.Totals())
        let extras: [(name: String, sink: any RecordSink)] = try sinks.map { spec in
            let path = String(spec.dropFirst("jsonl:".count))
            do { return (spec, try JSONLinesSink(path: path)) } catch { throw CLIError("--sink \(spec): cannot open \(path): \(error)") }
        }
        // With a bus, the buffer drains into the stream (a batch counts once acknowledged) and
        // `tributary sink` stores it; without one, into the store, in-process.
        var bus: BusFactory.Connection?
        if let busURL = settings.busURL, !busURL.isEmpty {
            do {
                bus = try await BusFactory.connect(
                    busURL, name: "tributary-run", replicas: settings.busReplicas, eventsPerMessage: settings.busEventsPerMessage)
            } catch {
                throw CLIError(
                    "cannot use the bus \(busURL): \(error) (is nats-server running with JetStream, -js? Without --bus / bus.url the store is written in-process)"
                )
            }
            Console.line("bus: publishing every record to \(bus?.location ?? busURL) (stream TRIBUTARY); run `tributary sink` to store them")
        }
        // With a bus, instances share the poll jobs: each job is polled by the one holding its lease.
        var leases: LeaseCoordinator<ContinuousClock>?
        if let bus {
            let bucket: any LeaseStore
            do { bucket = try await bus.leaseStore(ttl: settings.busLeaseTTL) } catch {
                throw CLIError("cannot open the poll-job lease bucket on \(bus.location): \(error)")
            }
            let name = LeaseService.instanceName(
                settings.busInstance, host: ProcessInfo.processInfo.hostName, pid: ProcessInfo.processInfo.processIdentifier)
            let coordinator = LeaseCoordinator(
                instance: name, jobs: engine.jobKeys, store: bucket, clock: ContinuousClock(), logger: logger,
                progress: { engine.progress(job: $0) }, onTakeOver: { engine.tookOver(job: $0, progress: $1) })
            await coordinator.step()
            engine.shareRateLimits(held: coordinator.view.held)
            leases = coordinator
            Console.line(
                "cluster: instance \(name), holding \(coordinator.view.held.count) of \(engine.jobs.count) poll jobs among \(coordinator.view.instances.count) instance(s); leases live \(DurationText.format(bucket.ttl))"
            )
            services.append(
                .init(
                    service: LeaseService(coordinator: coordinator, every: bucket.ttl / 3) { view in engine.shareRateLimits(held: view.held) },
                    serviceName: "leases"))
        }
        // Features follow the store: records reach them once committed, in commit order.
        let featureSets = try FeatureSets.load(features)
        var featureSink: FeatureSink?
        if !featureSets.isEmpty {
            if bus != nil {
                Console.line(
                    "features: not computed by `run --bus` (the records are stored by `tributary sink`); run `tributary features backfill` against that store")
            } else {
                featureSink = FeatureSink(sets: featureSets, store: store)
                Console.line("features: \(featureSets.map { "\($0.name) v\($0.version)" }.joined(separator: ", ")) computed as records are stored")
            }
        }
        // News articles are also kept as documents with chunks (for re-indexing) where this
        // process writes the store; behind a bus, `tributary sink` writes the store instead.
        let documentSink: [(name: String, sink: any RecordSink)] = bus == nil ? [("documents", NewsDocumentSink(store: store))] : []
        let fanOut = FanOutSink(
            primary: bus?.publisher() ?? store, extras: extras + documentSink + (featureSink.map { [("features", $0 as any RecordSink)] } ?? []))
        var worker = SinkWorker(buffer: buffer, sink: fanOut, deadLetters: store, batchSize: settings.storeBatchSize, linger: settings.storeLinger)
        SinkMetrics().register()
        let spillPath = storeURL.spillPrefix + ".unsaved-\(UTCTimestamp.now().rfc3339.replacingOccurrences(of: ":", with: "")).jsonl"
        worker.spillPath = spillPath
        worker.isStopping = { readiness.phase == .draining }
        let onBus = bus != nil
        worker.onStoreHealth = { problem in
            // With a bus, the sink the worker writes to is the bus.
            if onBus {
                readiness.busProblem(problem?.reason)
                if let problem {
                    logger.error(
                        "bus unavailable; holding records and retrying (not ready)", metadata: ["bus": "\(problem.location)", "reason": "\(problem.reason)"])
                } else {
                    logger.notice("bus acknowledging again (ready)")
                }
                return
            }
            readiness.storeProblem(problem?.reason)
            if let problem {
                logger.error(
                    "store unavailable; holding records and retrying (not ready)", metadata: ["store": "\(problem.location)", "reason": "\(problem.reason)"])
            } else {
                logger.notice("store writable again (ready)", metadata: ["store": "\(storeURL)"])
            }
        }
        let acks = DurableAcks()
        if leases != nil {
            // Only leases carry the jobs' delivered bars: a lone instance skips that walk over
            // every stored batch.
            worker.onStored = { batch in
                acks.settled(batch)
                engine.delivered(batch)
            }
        } else {
            worker.onStored = { acks.settled($0) }
        }
        worker.onUnstored = { acks.failed($0) }
        var pushDefinitions = catalog.definitions
        if demo, pushDefinitions["demo-push"] == nil {
            // The demo's push source: unsigned, so `curl` can show the push path with no secret.
            var definition = SourceDefinition(id: "demo-push", file: "(built into --demo)")
            definition.connector = "push"
            definition.push = SourceDefinition.Push()
            pushDefinitions["demo-push"] = definition
        }
        let push = PushGateway(
            definitions: pushDefinitions, environment: environment, buffer: buffer,
            idempotency: IdempotencyKeys(store: store, ttl: settings.idempotencyTTL), acks: acks, deadLetters: store,
            roomWait: settings.pushWaitForRoom)
        for (source, problem) in push.problems.sorted(by: { $0.key < $1.key }) {
            logger.warning("pushes refused for a source", metadata: ["source": "\(source)", "reason": "\(problem)"])
        }
        if !push.sources.isEmpty { Console.line("push: " + push.sources.map { "POST /ingest/\($0)" }.joined(separator: ", ")) }
        var clusterView: (@Sendable () -> ClusterView)?
        if let leases { clusterView = { leases.view } }
        let context = ServiceContext(
            engine: engine, store: store, readiness: readiness, metrics: metrics, settings: settings, push: push, cluster: clusterView)
        var httpLogger = Logger(label: "tributary.http")
        httpLogger.logLevel = .warning
        services.append(
            .init(
                service: ServiceApplication.make(context: context, logger: httpLogger) { actual in
                    readiness.enter(.serving)
                    FileHandle.standardOutput.write(
                        Data("status: http://127.0.0.1:\(actual)/sources (also /health /ready /metrics /records/latest?symbol=BTC-USDT)\n".utf8))
                }, serviceName: "http"))
        services.append(.init(service: SinkService(worker: worker, report: { sinkTotals.set($0) }), successTerminationBehavior: .ignore, serviceName: "sink"))
        services.append(.init(service: SummaryService(engine: engine, every: .seconds(summaryEvery), staleAfter: settings.staleAfter), serviceName: "summary"))
        if let duration {
            services.append(
                .init(
                    service: StopAfter(duration: .seconds(duration), onStop: { readiness.enter(.draining) }),
                    successTerminationBehavior: .gracefullyShutdownGroup, serviceName: "timer"))
        }
        var owns: (@Sendable (String) -> Bool)?
        if let leases { owns = { job in leases.owns(job) } }
        services.append(.init(service: SchedulerService(engine: engine, owns: owns), successTerminationBehavior: .ignore, serviceName: "scheduler"))

        var groupConfiguration = ServiceGroupConfiguration(
            services: services, logger: Logger(label: "tributary.lifecycle", factory: { _ in SwiftLogNoOpLogHandler() }))
        // Past the deadline, in-flight fetches are cancelled; the sink still drains the buffer.
        groupConfiguration.maximumGracefulShutdownDuration = settings.shutdownDeadline
        let group = ServiceGroup(configuration: groupConfiguration)
        let signals = ShutdownSignals(group: group, readiness: readiness, deadline: settings.shutdownDeadline, buffer: buffer, logger: logger)
        let watcher = Task { await signals.watch() }
        try await group.run()
        watcher.cancel()
        await client.shutdown()
        await bus?.close()
        let totals = engine.totals
        let sink = sinkTotals.value
        for (name, count) in fanOut.extraFailures { Console.line("warning: \(name) failed to write \(count) records (they are in the store)") }
        for (name, counters) in featureSink?.counters ?? [] {
            Console.line(
                "features \(name): \(counters.rows) rows from \(counters.events) records; \(counters.duplicates) duplicates, \(counters.lateDropped) late dropped, \(counters.lateCorrected) late corrected, \(counters.holes) sequence gaps"
            )
        }
        let pushed =
            "tributary run: stopped; polls \(totals.polls) (\(totals.failures) failed), records pushed \(totals.records + push.accepted) (\(push.accepted) via /ingest)"
        if let bus {
            // Acknowledged by the stream; the sinks store them.
            Console.line(
                "\(pushed), published \(sink.stored) to \(bus.location), duplicates \(sink.duplicates), dead-lettered \(sink.deadLettered), spilled \(sink.spilled), lost \(sink.lost)"
            )
        } else {
            // What this run stored, not the store's size: counting every row of a store grown
            // to gigabytes took seconds past the shutdown deadline (the 30-minute soak's exit 1).
            Console.line(
                "\(pushed), stored \(sink.stored) (\(sink.stored - sink.revisions) new, \(sink.revisions) revisions), duplicates \(sink.duplicates), dead-lettered \(sink.deadLettered), spilled \(sink.spilled), lost \(sink.lost); store \(storeURL)"
            )
        }
        if sink.spilled > 0 {
            logger.error(
                "the store was unavailable at shutdown; records written to the spill file instead",
                metadata: ["count": "\(sink.spilled)", "file": "\(spillPath)"])
        }
        if sink.spilled + sink.lost > 0 { throw ExitCode(1) }
    }

    /// Settings from tributary.yaml and the environment, then the flags; bad values stop here.
    private func loadSettings() async throws -> ServiceSettings {
        var settings = try await ServiceSettings.load(config: config, store: store)
        if let port {
            guard (0...65_535).contains(port) else { throw CLIError("--port \(port): allowed 0…65535") }
            settings.httpPort = port
        }
        if let bus { settings.busURL = bus }
        if let shutdownDeadline {
            guard let deadline = DurationText.parse(shutdownDeadline), deadline >= .seconds(1) else {
                throw CLIError("--shutdown-deadline '\(shutdownDeadline)': write a duration of at least 1s, e.g. 10s")
            }
            settings.shutdownDeadline = deadline
        }
        return settings
    }
}

/// The demo's faults: one source throttles now and then, one fails for a while and recovers.
enum DemoFaults {
    static let schedule: [MockFault] = [
        MockFault(source: "coinbase", kind: .throttle(retryAfterSeconds: 2, asDate: false), rate: 0.3),
        MockFault(source: "kraken", kind: .serverError(status: 503), rate: 1, count: 6),
    ]

    /// Keys the mock accepts; only used where the environment has none.
    static let keys: [String: String] = [
        "BINANCE_API_KEY": MockCredentials.demo.apiKey, "BINANCE_API_SECRET": MockCredentials.demo.secret,
        "FINNHUB_API_KEY": "demo", "ALPHAVANTAGE_API_KEY": "demo", "POLYGON_API_KEY": "demo", "TWELVEDATA_API_KEY": "demo",
        "FMP_API_KEY": "demo", "TIINGO_API_KEY": "demo", "FRED_API_KEY": "demo-fred-key", "NEWSAPI_API_KEY": "demo", "YAHOO_CRUMB": "demo",
    ]
}

/// Ends after a while, asking the group to shut down gracefully (`--for`); ends at once if the
/// group is already shutting down.
struct StopAfter: Service {
    let duration: Duration
    let onStop: @Sendable () -> Void
    func run() async throws {
        try? await cancelWhenGracefulShutdown { try await Task.sleep(for: duration) }
        onStop()
    }
}

/// Prints a compact line every few seconds: records/s, buffer depth, each source's state.
struct SummaryService: Service {
    let engine: IngestionEngine
    let every: Duration
    /// The service's `freshness.stale_after` (a source's own threshold wins).
    let staleAfter: Duration

    func run() async throws {
        var last = engine.totals.records
        let seconds = Double(every.components.seconds)
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            // The wait ends with a graceful shutdown: a summary 60 s apart held the whole stop
            // back until the deadline cancelled it (the soak's `--summary-every 60`).
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: every) }
            if Task.isShuttingDownGracefully || Task.isCancelled { break }
            let totals = engine.totals
            // A source is named with its condition unless it is ok: open, half-open, paused,
            // failing (its last poll failed, or it never succeeded) or stale.
            let states = engine.guards.keys.sorted().map { id -> String in
                let word = engine.condition(id, fallback: staleAfter).word
                return word == "ok" ? id.rawValue : "\(id.rawValue):\(word)"
            }
            Console.line(
                String(format: "%.0f rec/s", Double(totals.records - last) / seconds)
                    + ", buffer \(engine.buffer.stats.depth), polls \(totals.polls) (\(totals.failures) failed) | " + states.joined(separator: " "))
            for id in engine.guards.keys.sorted() {
                let status = engine.guards[id]!.status
                if status.state != "closed", let reason = status.reason {
                    Console.line("  \(id): \(status.state) until \(status.nextAllowedAt?.rfc3339 ?? "-"): \(reason.prefix(160))")
                }
            }
            last = totals.records
        }
    }
}
