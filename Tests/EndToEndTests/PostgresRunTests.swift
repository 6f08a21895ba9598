import Engine
import Foundation
import Pipeline
import StorePostgres
import Testing
import Transport
import TributaryCore
import TributaryTesting

/// `tributary run` and `import` with `--store postgres://…` on the real binary and a real server:
/// durable acknowledgements survive `kill -9`, a server that is down at start or goes away
/// mid-run is reported as what it is and loses nothing, and a password never shows.
@Suite(.serialized, .timeLimit(.minutes(4)), .enabled(if: TestPostgres.url != nil, "needs the PostgreSQL server make test starts"))
struct PostgresRunTests {
    func start(_ directory: String, store: String) async throws -> (RunProcess, String) {
        let sources = directory + "/sources"
        try FileManager.default.createDirectory(atPath: sources, withIntermediateDirectories: true)
        try "id: open\npush: { max_body_bytes: 1048576 }\n".write(toFile: sources + "/open.yaml", atomically: true, encoding: .utf8)
        let run = try RunProcess(["--only", "open", "--port", "0", "--store", store], environment: ["TRIBUTARY_SOURCES_DIR": sources])
        return (run, try await run.baseURL())
    }

    func trade(_ id: Int) -> String {
        #"{"kind":"trade","symbol":"BTC-USD","trade_id":"\#(id)","time":1700000000123,"price":"95000.1","size":"0.5","side":"buy"}"#
    }

    func post(_ client: HTTPClient, _ url: String, _ body: String) async throws -> HTTPResponse {
        try await client.send(HTTPRequest(method: .post, url: url, headers: HTTPHeaders([("Content-Type", "application/x-ndjson")]), body: Array(body.utf8)))
    }

    @Test func durablyAcknowledgedEventsSurviveKill9() async throws {
        let directory = try temporaryDirectory("pg-durable")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let url = try await TestPostgres.freshDatabaseURL()
        let (run, base) = try await start(directory, store: url)
        var pool = PoolConfiguration()
        pool.maxConnectionsPerHost = 8
        let client = HTTPClient(configuration: pool)
        let acked = Shared<[Int]>([])
        let next = SharedCounter()
        // Bounded by count, not by the machine's speed: 200 requests of 5 events, killed once 60 were acknowledged.
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    while true {
                        let first = next.take(5)
                        guard first < 1_000, run.process.isRunning else { return }
                        let body = (first..<(first + 5)).map { self.trade($0) }.joined(separator: "\n")
                        guard let response = try? await self.post(client, base + "/ingest/open?ack=durable", body), response.status == 200 else { continue }
                        let count = acked.withLock {
                            $0.append(contentsOf: first..<(first + 5)); return $0.count
                        }
                        if count >= 300 { run.signal(SIGKILL) }
                    }
                }
            }
        }
        await client.shutdown()
        _ = await run.wait()
        let ids = acked.withLock { $0 }
        #expect(ids.count >= 300)
        let store = try await PostgresStore(try PostgresStoreConfiguration(url: url))
        defer { store.shutdown() }
        var missing = 0
        for id in ids where try await store.storedRecord(source: "open", kind: .trade, symbol: "BTC-USD", naturalKey: String(id)) == nil { missing += 1 }
        #expect(missing == 0, "\(missing) of \(ids.count) acknowledged events are not in PostgreSQL")
    }

    @Test func aServerThatIsDownAtStartIsReportedWithoutThePassword() throws {
        let port = try LoopbackPort.free()
        let result = try Tributary.run([
            "import", "/dev/null", "--source", "tape", "--store", "postgres://tributary:s3cret-pw@127.0.0.1:\(port)/none?sslmode=disable",
        ])
        #expect(result.status != 0)
        #expect(result.stderr.contains("cannot reach PostgreSQL"), "\(result.stderr)")
        #expect(result.stderr.contains("postgres://tributary@127.0.0.1:\(port)/none"), "\(result.stderr)")
        #expect(!result.stderr.contains("s3cret-pw") && !result.stdout.contains("s3cret-pw"))
        let bad = try Tributary.run(["import", "/dev/null", "--source", "tape", "--store", "postgres://tributary:s3cret-pw@127.0.0.1/"])
        #expect(bad.status != 0 && bad.stderr.contains("database is missing"), "\(bad.stderr)")
        #expect(!bad.stderr.contains("s3cret-pw"))
    }

    @Test func aServerThatGoesAwayMidRunIsNotReadyAndLosesNothing() async throws {
        let directory = try temporaryDirectory("pg-outage")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let cluster = try TestPostgres.Cluster()
        defer { cluster.remove() }
        let (run, base) = try await start(directory, store: cluster.url)
        let client = HTTPClient()
        defer { Task { await client.shutdown() } }
        let first = try await post(client, base + "/ingest/open?ack=durable", (0..<5).map(trade).joined(separator: "\n"))
        #expect(first.status == 200, "\(first.bodyText)")
        try cluster.halt()
        // Accepted into the buffer while the store is away; the sink holds them and says why.
        let held = try await post(client, base + "/ingest/open", (5..<10).map(trade).joined(separator: "\n"))
        #expect(held.status == 202, "\(held.bodyText)")
        var ready = try await get(base + "/ready")
        for _ in 0..<100 where ready.status == 200 {
            try await Task.sleep(for: .milliseconds(100))
            ready = try await get(base + "/ready")
        }
        #expect(ready.status == 503 && ready.bodyText.contains("store unavailable"), "\(ready.bodyText)")
        try cluster.resume()
        for _ in 0..<150 where ready.status != 200 {
            try await Task.sleep(for: .milliseconds(100))
            ready = try await get(base + "/ready")
        }
        #expect(ready.status == 200, "\(ready.bodyText)")
        run.signal(SIGTERM)
        #expect(await run.wait(timeout: .seconds(40)) == 0, "\(run.stderr.text)")
        #expect(run.stderr.text.contains("store unavailable"))
        let store = try await PostgresStore(try PostgresStoreConfiguration(url: cluster.url))
        defer { store.shutdown() }
        #expect(try await store.recordCount() == 10)
    }
}
