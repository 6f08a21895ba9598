import ArgumentParser
import Connectors
import Engine
import Foundation
import Logging
import MockMarket
import Resilience
import ServiceLifecycle
import UnixSignals
import TributaryCore
import Transport

/// `tributary run`: the long-running aggregator — every source polled on its Sources.d schedule
/// through its resilience layer into the buffer, drained into the SQLite store.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Poll every source on its schedule into the store until SIGTERM or SIGINT.",
        discussion: """
            On SIGTERM/SIGINT it stops scheduling, lets polls in flight finish, drains the buffer into the
            store and exits 0. --demo starts the mock market in-process with a fault schedule and points
            every source at it, so it runs with no keys and no internet.
            """
    )

    @Flag(help: "Run against the built-in mock market (no keys, no internet), with injected faults.")
    var demo = false

    @Option(help: "The SQLite store file.")
    var store = "data/tributary.sqlite"

    @Option(name: .customLong("for"), help: "Stop by itself after this many seconds (graceful shutdown).")
    var duration: Int?

    @Option(name: .customLong("sink"), help: "Also write every record to another sink: jsonl:PATH (jsonl:- for standard output). Repeatable.")
    var sinks: [String] = []

    @Option(help: "Port of the status server on 127.0.0.1 (/health, /sources); 0 picks a free one.")
    var port = 8080

    @Option(help: "Seconds between summary lines.")
    var summaryEvery = 5

    func validate() throws {
        if let duration, duration < 1 { throw ValidationError("--for must be at least 1 second") }
        guard summaryEvery >= 1 else { throw ValidationError("--summary-every must be at least 1") }
        for sink in sinks where !sink.hasPrefix("jsonl:") || sink.count <= 6 {
            throw ValidationError("--sink '\(sink)': use jsonl:PATH (or jsonl:- for standard output)")
        }
    }

    func run() async throws {
        var environment = try await RuntimeEnvironment.load()
        let catalog = SourceCatalog(directories: SourceDirectories.search(environment: environment))
        for problem in catalog.problems { FileHandle.standardError.write(Data("warning: \(problem) — that source is not polled\n".utf8)) }
        var logger = Logger(label: "tributary")
        logger.logLevel = .warning

        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        var baseURLs: [SourceID: String] = [:]
        if demo {
            let port = try FreePort.find()
            let market = MockMarket(seed: 42, faults: DemoFaults.schedule)
            services.append(.init(service: market.application(port: port, logLevel: .warning), serviceName: "mock market"))
            let mock = "http://127.0.0.1:\(port)"
            for (id, definition) in catalog.definitions {
                let path = URL(string: definition.baseURL ?? "")?.path ?? ""
                baseURLs[id] = mock + "/" + id.rawValue + (path == "/" ? "" : path)
            }
            for (name, value) in DemoFaults.keys where environment[name] == nil { environment[name] = value }
            print("demo: mock market at \(mock) (faults: \(DemoFaults.schedule.map(\.description).joined(separator: ", ")))")
        }

        let client = HTTPClient()
        let buffer = NormalizationBuffer<Envelope>(capacity: 10_000)
        let sqlite = try SQLiteStore(path: store)
        // The demo compresses time: every source polled at least every 5 s, breakers open for 8 s,
        // so throttling, an outage and its recovery all show within half a minute.
        let engine = IngestionEngine(
            catalog: catalog, environment: environment, transport: client, buffer: buffer, baseURL: { baseURLs[$0] },
            maxPeriod: demo ? .seconds(5) : nil,
            adjust: { settings in if demo { settings.breaker.openDuration = min(settings.breaker.openDuration, .seconds(8)) } })
        print("tributary run: \(engine.jobs.count) polls over \(engine.guards.count) sources into \(store); SIGTERM or Ctrl-C to stop")

        let sinkTotals = SinkTotalsBox()
        let extras: [(name: String, sink: any Sink)] = try sinks.map { spec in
            let path = String(spec.dropFirst("jsonl:".count))
            do { return (spec, try JSONLinesSink(path: path)) } catch { throw CLIError("--sink \(spec): cannot open \(path): \(error)") }
        }
        let fanOut = FanOutSink(primary: sqlite, extras: extras)
        services.append(.init(service: SinkService(worker: SinkWorker(buffer: buffer, sink: fanOut, deadLetters: sqlite), report: { sinkTotals.set($0) }),
                              successTerminationBehavior: .ignore, serviceName: "sink"))
        services.append(.init(service: SummaryService(engine: engine, every: .seconds(summaryEvery)), serviceName: "summary"))
        services.append(.init(service: StatusServer.application(engine: engine, port: port) { actual in
            FileHandle.standardOutput.write(Data("status: http://127.0.0.1:\(actual)/sources and /health\n".utf8))
        }, serviceName: "status server"))
        if let duration {
            services.append(.init(service: StopAfter(duration: .seconds(duration)), successTerminationBehavior: .gracefullyShutdownGroup, serviceName: "timer"))
        }
        services.append(.init(service: SchedulerService(engine: engine), successTerminationBehavior: .ignore, serviceName: "scheduler"))

        let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        await client.shutdown()
        let totals = engine.totals
        let sink = sinkTotals.value
        for (name, count) in fanOut.extraFailures { print("warning: \(name) failed to write \(count) records (they are in the store)") }
        print("tributary run: stopped; polls \(totals.polls) (\(totals.failures) failed), records pushed \(totals.records), stored \(sink.stored), duplicates \(sink.duplicates), dead-lettered \(sink.deadLettered); store \(store) holds \(try sqlite.recordCount) records")
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
    func run() async throws {
        try? await cancelWhenGracefulShutdown { try await Task.sleep(for: duration) }
    }
}

/// Prints a compact line every few seconds: records/s, buffer depth, each source's state.
struct SummaryService: Service {
    let engine: IngestionEngine
    let every: Duration

    func run() async throws {
        var last = engine.totals.records
        let seconds = Double(every.components.seconds)
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            try? await Task.sleep(for: every)
            let totals = engine.totals
            let states = engine.guards.keys.sorted().map { id -> String in
                let status = engine.guards[id]!.status
                return status.state == "closed" ? id.rawValue : "\(id.rawValue):\(status.state)"
            }
            print(String(format: "%.0f rec/s", Double(totals.records - last) / seconds) + ", buffer \(engine.buffer.stats.depth), polls \(totals.polls) (\(totals.failures) failed) | " + states.joined(separator: " "))
            for id in engine.guards.keys.sorted() {
                let status = engine.guards[id]!.status
                if status.state != "closed", let reason = status.reason { print("  \(id): \(status.state) until \(status.nextAllowedAt?.rfc3339 ?? "-"): \(reason.prefix(160))") }
            }
            last = totals.records
        }
    }
}

final class SinkTotalsBox: @unchecked Sendable {
    private let lock = NSLock()
    private var totals = SinkWorker.Totals()
    func set(_ value: SinkWorker.Totals) { lock.lock(); totals = value; lock.unlock() }
    var value: SinkWorker.Totals { lock.lock(); defer { lock.unlock() }; return totals }
}

/// A free TCP port on 127.0.0.1 (bound, then released).
enum FreePort {
    static func find() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard bound == 0 else { throw CLIError("cannot find a free port on 127.0.0.1") }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: actual.sin_port))
    }
}

#if canImport(Glibc)
import Glibc
#endif
