import ArgumentParser
import Connectors
import Engine
import Foundation
import Histogram
import Synchronization
import Transport
import TributaryCore

/// `tributary bench fetch`: N GETs at concurrency C through the pooled transport, optionally
/// through decode + normalize + buffer as well.
struct BenchFetchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch",
        abstract: "N GET requests at concurrency C through the libcurl transport.",
        discussion: """
            Prints {"requests","errors","seconds","req_per_s","p50_ms","p95_ms","p99_ms","max_ms","rss_mb"}; \
            rss_mb is the process's peak resident set. Point --url at a server on this machine.
            """
    )

    enum Decoder: String, ExpressibleByArgument, CaseIterable {
        case binanceTicker = "binance-ticker"
    }

    @Option(help: "The URL to GET.")
    var url: String

    @Option(help: "How many requests in total.")
    var requests: Int = 10_000

    @Option(help: "How many requests in flight at once.")
    var concurrency: Int = 64

    @Option(help: "Also decode, normalize (provenance, content hash) and buffer each response with this decoder.")
    var decode: Decoder?

    @Option(help: "Requests sent before measuring starts (connection set-up, warm caches).")
    var warmup: Int = 0

    @Flag(
        help: """
            Run the callers on the cooperative pool, resumed through the completion pump, instead of \
            the transport's caller executor, where the scheduler's polls run.
            """)
    var onPool = false

    func validate() throws {
        guard requests > 0 else { throw ValidationError("--requests must be at least 1") }
        guard (1...5_000).contains(concurrency) else { throw ValidationError("--concurrency must be 1…5000") }
        guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
            throw ValidationError("--url must start with http:// or https://")
        }
    }

    func run() async throws {
        var pool = PoolConfiguration()
        pool.maxConnectionsPerHost = max(pool.maxConnectionsPerHost, concurrency)
        let client = HTTPClient(configuration: pool)
        let request = HTTPRequest(url: url)
        let buffer = NormalizationBuffer<Envelope>()
        let drainer = Task {
            var drained = 0
            // A sink's consumer: batches of up to 4,096, lingering 1 ms for a batch to fill.
            while let batch = await buffer.next(max: 4_096, linger: .milliseconds(1)) {
                drained += batch.count
                buffer.recycle(consume batch)
            }
            return drained
        }
        let worker = SourceWorker(connector: BinanceConnector(), transport: client, buffer: buffer, latency: LatencyRecorder())
        let once: @Sendable () async -> Bool = { [decode] in
            do {
                if decode != nil {
                    return try await !worker.fetch(request, call: EndpointCall("ticker")).isEmpty
                }
                return try await client.send(request).isSuccess
            } catch {
                return false
            }
        }
        let executor = onPool ? nil : client.callerExecutor
        if warmup > 0 { _ = await Self.drive(total: warmup, concurrency: concurrency, executor: executor, once: once) }
        let result = await Self.drive(total: requests, concurrency: concurrency, executor: executor, once: once)
        buffer.finish()
        _ = await drainer.value
        await client.shutdown()

        let seconds = result.elapsed.fractionalSeconds
        func ms(_ micros: UInt64) -> Double { (Double(micros) / 1_000).rounded(toPlaces: 3) }
        let report: [(String, String)] = [
            ("requests", String(requests)),
            ("errors", String(result.errors)),
            ("seconds", String(seconds.rounded(toPlaces: 3))),
            ("req_per_s", String(Int((Double(requests) / seconds).rounded()))),
            ("p50_ms", String(ms(result.histogram.valueAtPercentile(50)))),
            ("p95_ms", String(ms(result.histogram.valueAtPercentile(95)))),
            ("p99_ms", String(ms(result.histogram.valueAtPercentile(99)))),
            ("max_ms", String(ms(result.histogram.max))),
            ("rss_mb", String(ProcessMemory.peakResidentMegabytes().rounded(toPlaces: 1))),
        ]
        print("{" + report.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}")
    }

    struct RunResult {
        var histogram: Histogram<UInt64>
        var errors: Int
        var elapsed: Duration
    }

    /// Runs `total` calls of `once` with `concurrency` tasks, each timing its own calls, on
    /// `executor` if one is given.
    static func drive(
        total: Int, concurrency: Int, executor: (any TaskExecutor)?, once: @escaping @Sendable () async -> Bool
    ) async -> RunResult {
        let tickets = TicketCounter()
        let started = ContinuousClock.now
        var merged = LatencyRecorder.makeHistogram()
        var errors = 0
        await withTaskGroup(of: (Histogram<UInt64>, Int).self) { group in
            for _ in 0..<min(concurrency, total) {
                group.addTask(executorPreference: executor) {
                    // Sized for 0–100 ms so that it rarely resizes; larger values still fit (auto-resize).
                    var histogram = Histogram<UInt64>(highestTrackableValue: 100_000, numberOfSignificantValueDigits: .three)
                    histogram.autoResize = true
                    var failures = 0
                    while tickets.take() < total {
                        let start = ContinuousClock.now
                        let ok = await once()
                        histogram.record(UInt64(max(0, (ContinuousClock.now - start) / .microseconds(1))))
                        if !ok { failures += 1 }
                    }
                    return (histogram, failures)
                }
            }
            for await (histogram, failures) in group {
                merged.add(histogram)
                errors += failures
            }
        }
        return RunResult(histogram: merged, errors: errors, elapsed: ContinuousClock.now - started)
    }
}

/// A shared counter the benchmark tasks take request numbers from.
final class TicketCounter: Sendable {
    private let value = Atomic<Int>(0)
    func take() -> Int { value.add(1, ordering: .relaxed).oldValue }
}

extension Double {
    func rounded(toPlaces places: Int) -> Double {
        let factor = pow(10, Double(places))
        return (self * factor).rounded() / factor
    }
}
