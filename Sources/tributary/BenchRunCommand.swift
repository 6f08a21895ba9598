import App
import ArgumentParser
import Connectors
import Engine
import Foundation
import Histogram
import Hummingbird
import Logging
import Pipeline
import Service
import ServiceLifecycle
import Synchronization
import Transport
import TributaryCore

/// `tributary bench run`: the whole aggregator — scheduler, resilience layer, libcurl transport,
/// the Binance klines decoder, provenance and hashing, buffer, SQLite store — for a fixed time
/// against a local upstream that serves new bars on every call, so every record is a real insert.
struct BenchRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "The full aggregator against a local upstream for a fixed time: records/s stored, p99 fetch-to-stored.",
        discussion: """
            Prints {"seconds","polls","records_stored","duplicates","records_per_s","p50_ms","p99_ms","max_ms","rss_mb","store_mb"}; \
            latency is from the response's arrival (observed_at) to the commit of its batch.
            """
    )

    @Option(help: "How long to run, in seconds.") var seconds = 10
    @Option(help: "Poll jobs (one symbol each), all polled every 100 ms.") var jobs = 4
    @Option(help: "Bars per response.") var bars = 1_000
    @Option(help: "The store: a SQLite file (removed first) or postgres://… (an empty database).") var store = "data/bench.sqlite"
    @Option(
        help:
            "Publish to this NATS JetStream bus instead of storing (a `tributary sink` stores): records_stored is then what the stream acknowledged, latency fetch-to-acknowledged."
    )
    var bus: String?
    @Option(help: "With --bus: records of one subject per message, at most (1: a message per record; bus.events_per_message).")
    var eventsPerMessage = 100
    @Option(help: "Records per store transaction.") var batchSize = 2_000
    @Option(
        help:
            "Which series of bars the local upstream serves (0…9, three years apart): bench runs started side by side with different series publish different records."
    ) var series = 0

    func validate() throws {
        guard (1...600).contains(seconds) else { throw ValidationError("--seconds must be 1…600") }
        guard (1...1_000).contains(eventsPerMessage) else { throw ValidationError("--events-per-message must be 1…1000") }
        guard (1...64).contains(jobs) else { throw ValidationError("--jobs must be 1…64") }
        guard (1...1_000).contains(bars) else { throw ValidationError("--bars must be 1…1000 (Binance's klines limit)") }
        guard (0...9).contains(series) else { throw ValidationError("--series must be 0…9") }
    }

    func run() async throws {
        if !store.hasPrefix("postgres") { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: store + suffix) } }
        let upstream = BenchUpstream(bars: bars, series: series)
        let port = try LoopbackPort.free()
        let directory = NSTemporaryDirectory() + "tributary-bench-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let symbols = ["BTCUSDT", "ETHUSDT", "BNBUSDT", "SOLUSDT", "XRPUSDT", "ADAUSDT", "DOGEUSDT", "DOTUSDT"]
        let polls = (0..<jobs).map { i in
            "  - { endpoint: klines, symbols: [\(symbols[i % symbols.count])], every: 100ms, params: { interval: 1m, limit: \(bars) } }"
        }
        try """
        id: binance
        base_url: http://127.0.0.1:\(port)
        rate_limit: { capacity: 1000000, refill_per_second: 1000000 }
        max_concurrent: 64
        poll:
        \(polls.joined(separator: "\n"))
        """.write(toFile: directory + "/binance.yaml", atomically: true, encoding: .utf8)
        let catalog = SourceCatalog(directories: [directory])
        if let problem = catalog.problems.first { throw CLIError("bench source: \(problem)") }

        let client = HTTPClient()
        let buffer = NormalizationBuffer<Envelope>(capacity: 20_000)
        var settings = ServiceSettings()
        settings.storeURL = store
        let target = try await settings.openStore()
        let engine = IngestionEngine(catalog: catalog, environment: [:], transport: client, buffer: buffer, deadLetters: target)
        let latency = Mutex(LatencyRecorder.makeHistogram())
        var bus: BusFactory.Connection?
        if let url = self.bus {
            do { bus = try await BusFactory.connect(url, name: "tributary-bench", eventsPerMessage: eventsPerMessage) } catch {
                throw CLIError("bench: cannot use the bus \(url): \(error)")
            }
        }
        var worker = SinkWorker(buffer: buffer, sink: bus?.publisher() ?? target, deadLetters: target, batchSize: batchSize, linger: .milliseconds(5))
        worker.onStored = { batch in
            let now = UTCTimestamp.now().nanosecondsSinceEpoch
            latency.withLock { histogram in
                for envelope in batch {
                    histogram.record(UInt64(max(0, (now - envelope.provenance.observedAt.nanosecondsSinceEpoch) / 1_000)))
                }
            }
        }
        let totals = Mutex(SinkWorker.Totals())
        var quiet = Logger(label: "bench")
        quiet.logLevel = .critical
        let router = Router()
        router.get("api/v3/klines") { request, _ in upstream.response(request) }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)), logger: quiet)
        let started = ContinuousClock.now
        let group = ServiceGroup(
            configuration: .init(
                services: [
                    .init(service: app),
                    .init(service: SinkService(worker: worker, report: { value in totals.withLock { $0 = value } }), successTerminationBehavior: .ignore),
                    .init(service: StopAfter(duration: .seconds(seconds), onStop: {}), successTerminationBehavior: .gracefullyShutdownGroup),
                    .init(service: SchedulerService(engine: engine, tick: .milliseconds(5)), successTerminationBehavior: .ignore),
                ], logger: quiet))
        try await group.run()
        let elapsed = ContinuousClock.now - started
        await client.shutdown()
        await bus?.close()

        let result = totals.withLock { $0 }
        let histogram = latency.withLock { $0 }
        let secondsElapsed = elapsed.fractionalSeconds
        func ms(_ micros: UInt64) -> Double { (Double(micros) / 1_000).rounded(toPlaces: 3) }
        let storeBytes = (try? FileManager.default.attributesOfItem(atPath: store)[.size] as? Int) ?? 0
        let report: [(String, String)] = [
            ("seconds", String(secondsElapsed.rounded(toPlaces: 3))),
            ("polls", String(engine.totals.polls)),
            ("failed_polls", String(engine.totals.failures)),
            ("records_stored", String(result.stored)),
            ("duplicates", String(result.duplicates)),
            ("records_per_s", String(Int((Double(result.stored) / secondsElapsed).rounded()))),
            ("p50_ms", String(ms(histogram.valueAtPercentile(50)))),
            ("p99_ms", String(ms(histogram.valueAtPercentile(99)))),
            ("max_ms", String(ms(histogram.max))),
            ("rss_mb", String(ProcessMemory.peakResidentMegabytes().rounded(toPlaces: 1))),
            ("store_mb", String((Double(storeBytes) / 1_048_576).rounded(toPlaces: 1))),
        ]
        print("{" + report.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}")
    }
}

/// Serves Binance klines whose window moves forward on every call, so each response is all new
/// bars (a benchmark of inserts, not of duplicate skipping). Bodies are built once per call
/// from a template row; the open time is the only field that changes.
final class BenchUpstream: Sendable {
    private let bars: Int
    /// The first open time: series are 10^11 ms (about three years) apart, far more than a
    /// run of minutes moves through.
    private let base: Int64
    private let calls = Mutex<[String: Int64]>([:])

    init(bars: Int, series: Int = 0) {
        self.bars = bars
        base = 1_500_000_000_000 + Int64(series) * 100_000_000_000
    }

    func response(_ request: Request) -> Response {
        // Per symbol, so each series stays contiguous from call to call (no gaps to report).
        let symbol = request.uri.queryParameters["symbol"].map(String.init) ?? ""
        let call = calls.withLock { counts in
            defer { counts[symbol, default: 0] += 1 }; return counts[symbol, default: 0]
        }
        let firstOpen: Int64 = base + call * Int64(bars) * 60_000
        var body = "["
        body.reserveCapacity(bars * 170)
        for i in 0..<Int64(bars) {
            let open = firstOpen + i * 60_000
            if i > 0 { body += "," }
            body +=
                "[\(open),\"95000.10000000\",\"95010.00000000\",\"94990.00000000\",\"95005.\(String(format: "%08d", Int(i)))\",\"12.50000000\",\(open + 59_999),\"1187562.50000000\",321,\"6.25000000\",\"593781.25000000\",\"0\"]"
        }
        body += "]"
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
