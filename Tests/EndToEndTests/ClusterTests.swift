import App
import Foundation
import Pipeline
import Synchronization
import Testing
import TributaryCore
import TributaryTesting

/// Several `run --bus` instances sharing the poll jobs through leases in a real nats-server's
/// key-value store: each job polled by one instance, a killed instance's jobs taken over.
@Suite(.serialized, .timeLimit(.minutes(5))) struct ClusterTests {
    static let symbols = ["BTCUSDT", "ETHUSDT", "SOLUSDT", "XRPUSDT", "ADAUSDT", "DOGEUSDT"]

    /// An upstream that answers Binance's 24-hour ticker for any symbol and remembers who asked:
    /// each instance reaches it under its own path prefix (`/a`, `/b`), so a request names its instance.
    final class Upstream: Sendable {
        struct Hit { var instance: String; var symbol: String; var at: ContinuousClock.Instant }
        final class Log: Sendable { let hits = Mutex<[Hit]>([]) }
        private let log: Log
        let server: LoopbackServer

        init() throws {
            let log = Log()
            self.log = log
            server = try LoopbackServer { request in
                let instance = String(request.path.dropFirst().prefix { $0 != "/" })
                let symbol = request.query["symbol"] ?? "?"
                log.hits.withLock { $0.append(Hit(instance: instance, symbol: symbol, at: .now)) }
                return .json(#"{"symbol":"\#(symbol)","lastPrice":"1.5","closeTime":\#(Int(Date().timeIntervalSince1970 * 1000))}"#)
            }
        }

        /// Per symbol, the instances that asked for it in the last `window`.
        func askers(within window: Duration) -> [String: Set<String>] {
            let since = ContinuousClock.now - window
            return log.hits.withLock { hits in
                Dictionary(grouping: hits.filter { $0.at >= since }, by: \.symbol).mapValues { Set($0.map(\.instance)) }
            }
        }
    }

    func sources(_ upstream: Upstream, instance: String, in directory: String) throws -> String {
        let folder = directory + "/sources-" + instance
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try """
        id: binance
        base_url: \(upstream.server.baseURL)/\(instance)
        rate_limit: { capacity: 100000, refill_per_second: 100000 }
        poll:
        \(Self.symbols.map { "  - { endpoint: ticker, symbols: [\($0)], every: 300ms }" }.joined(separator: "\n"))
        """.write(toFile: folder + "/binance.yaml", atomically: true, encoding: .utf8)
        return folder
    }

    func instance(_ name: String, upstream: Upstream, nats: NATSServerProcess, directory: String) throws -> RunProcess {
        try RunProcess(
            ["--only", "binance", "--port", "0", "--store", directory + "/\(name).sqlite", "--bus", nats.url],
            environment: [
                "TRIBUTARY_SOURCES_DIR": try sources(upstream, instance: name, in: directory), "TRIBUTARY_BUS_INSTANCE": name,
                "TRIBUTARY_BUS_LEASE_TTL": "6s",
            ])
    }

    @Test func theNATSBucketRefusesASecondClaimAndAStaleRenewalAndForgetsAfterItsTTL() async throws {
        let nats = try NATSServerProcess()
        defer { nats.remove() }
        let bus = try await BusFactory.connect(nats.url, name: "lease-test")
        // A TTL far beyond any machine's pause between these calls: the refusals are checked, not the expiry.
        let bucket = try await bus.leaseStore(ttl: .seconds(300))
        #expect(bucket.ttl == .seconds(300))
        let first = try #require(try await bucket.create("job.one", value: "a"))
        #expect(try await bucket.create("job.one", value: "b") == nil, "a second claim of a held lease is refused")
        let renewed = try #require(try await bucket.update("job.one", value: "a", revision: first))
        #expect(try await bucket.update("job.one", value: "b", revision: first) == nil, "a renewal at a stale revision is refused")
        #expect(try await bucket.entries()["job.one"] == LeaseEntry(value: "a", revision: renewed))
        try await bucket.delete("job.one")
        #expect(try await bucket.entries()["job.one"] == nil)
        #expect(try await bucket.create("job.one", value: "c") != nil, "a handed-back lease can be claimed again")

        // A bucket with a short TTL: an entry not written again is gone after it (the server's
        // expiry runs about once a second), and free to claim — how a dead instance's jobs come free.
        let short = try await bus.leaseStore(ttl: .seconds(2), name: "TRIBUTARY_LEASES_SHORT")
        let before = ContinuousClock.now
        _ = try #require(try await short.create("job.two", value: "a"))
        try await eventually("the lease expired", timeout: .seconds(60)) { try await short.entries()["job.two"] == nil }
        #expect(ContinuousClock.now - before >= .seconds(2), "not before its TTL")
        #expect(try await short.create("job.two", value: "d") != nil)
        await bus.close()
    }

    @Test func twoInstancesPollEachJobOnceAndTheSurvivorTakesOverAKilledOnesJobs() async throws {
        let directory = try temporaryDirectory("cluster")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let nats = try NATSServerProcess()
        defer { nats.remove() }
        let upstream = try Upstream()
        defer { upstream.server.stop() }
        let a = try instance("a", upstream: upstream, nats: nats, directory: directory)
        // A failed expectation must not leave the instances running (as RunCommandTests do).
        defer { a.signal(SIGKILL) }
        _ = try await a.baseURL()
        let b = try instance("b", upstream: upstream, nats: nats, directory: directory)
        defer { b.signal(SIGKILL) }
        let bBase = try await b.baseURL()

        // Steady state: within a window of several poll periods every job was polled, each by
        // one instance, and both instances poll (3 jobs each: the fair share of 6 over 2).
        try await eventually("each job is polled by exactly one instance, and the jobs are split") {
            let askers = upstream.askers(within: .seconds(2))
            let owners = Self.symbols.compactMap { askers[$0] }
            return owners.count == Self.symbols.count && owners.allSatisfy { $0.count == 1 }
                && owners.filter { $0 == ["a"] }.count == 3 && owners.filter { $0 == ["b"] }.count == 3
        }

        // Each instance says what it holds (/cluster, /sources), and `cluster status` lists both.
        let view = try await get(bBase + "/cluster")
        let cluster = String(decoding: view.body, as: UTF8.self)
        #expect(view.status == 200 && cluster.contains(#""instance":"b""#) && cluster.contains(#""instances":["a","b"]"#), "\(cluster)")
        let sources = String(decoding: try await get(bBase + "/sources").body, as: UTF8.self)
        #expect(sources.contains(#""owner":"a""#) && sources.contains(#""owner":"b""#), "\(sources)")
        let metrics = String(decoding: try await get(bBase + "/metrics").body, as: UTF8.self)
        #expect(metrics.contains("ingestion_cluster_instances 2") && metrics.contains("ingestion_cluster_jobs_held 3"), "\(metrics)")
        let status = try RunProcess(["status", "--bus", nats.url], command: "cluster")
        #expect(await status.wait() == 0, "\(status.stderr.text)")
        #expect(status.stdout.text.contains("instances (2):") && status.stdout.text.contains("holds 3 job(s)"), "\(status.stdout.text)")
        #expect(status.stdout.text.contains("leases (6):"), "\(status.stdout.text)")

        // a dies without handing anything back: its leases lapse (TTL 3 s) and b takes every job.
        a.signal(SIGKILL)
        _ = await a.wait()
        let killed = ContinuousClock.now
        try await eventually("b polls every job alone") {
            let askers = upstream.askers(within: .seconds(2))
            return Self.symbols.allSatisfy { askers[$0] == ["b"] }
        }
        // How long the take-over took, for the record (its bound is the lease tests' business, on a
        // manual clock: on a loaded machine this one also waits for the 2 s window to pass).
        print("cluster: b polled every job alone \(ContinuousClock.now - killed) after a was killed")
        b.signal(SIGTERM)
        #expect(await b.wait() == 0, "\(b.stderr.text)")
        #expect(b.stdout.text.contains("cluster: instance b"), "\(b.stdout.text)")
    }
}
