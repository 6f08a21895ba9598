import Foundation
import Pipeline
import StorePostgres
import StoreSQLite
import Testing
import Transport
import TributaryCore
import TributaryTesting

/// `run --bus` and `tributary sink` against a real nats-server with JetStream (Debian's, started
/// on a loopback port per test): what the run had acknowledged by the stream is exactly what the
/// sinks stored — nothing lost, nothing stored twice — through a bus outage and a full replay.
@Suite(.serialized, .timeLimit(.minutes(6))) struct BusTests {
    func sources(mock: String, in directory: String) throws -> String {
        try sourcesDirectory(
            mock: mock,
            poll: [
                "{ endpoint: ticker, symbols: [BTCUSDT, ETHUSDT], every: 300ms }",
                #"{ endpoint: klines, symbols: [BTCUSDT], every: 300ms, params: { interval: 1m, limit: "5" } }"#,
            ], in: directory)
    }

    /// Runs a sink into `store` until its consumer has nothing pending or unacknowledged; its final counts.
    func drainWithSink(bus: String, store: String, consumer: String) async throws -> (stored: Int, duplicates: Int, deadLettered: Int) {
        let sink = try RunProcess(["--bus", bus, "--store", store, "--consumer", consumer, "--port", "0"], command: "sink")
        let base = try await sink.baseURL()
        try await eventually("the sink's consumer is drained") { await consumerDrained(base) }
        sink.signal(SIGTERM)
        #expect(await sink.wait() == 0, "\(sink.stderr.text)")
        return (try #require(sink.final("stored ")), try #require(sink.final("duplicates ")), try #require(sink.final("dead-lettered ")))
    }

    /// The records the run had acknowledged (its `--sink jsonl:` copy gets a batch only after
    /// the bus acknowledged it) against the store: lost (acknowledged, not stored) and
    /// unexpected (stored, never acknowledged) must both be zero.
    func compare(acknowledged jsonl: String, store path: String) throws -> (acknowledged: Int, lost: Int, unexpected: Int) {
        let lines = try String(contentsOfFile: jsonl, encoding: .utf8).split(separator: "\n")
        var keys = Set<String>()
        let store = try SQLiteStore(path: path)
        var lost = 0
        for line in lines {
            let envelope = try Envelope(jsonLine: String(line))
            let record = envelope.record
            keys.insert("\(record.source)|\(record.kind)|\(record.symbol)|\(record.naturalKey)")
            if try store.storedRecord(source: record.source, kind: record.kind, symbol: record.symbol, naturalKey: record.naturalKey) == nil { lost += 1 }
        }
        return (keys.count, lost, try store.recordCount() - keys.count)
    }

    @Test func whatTheStreamAcknowledgedIsStoredOnceAndAReplayAddsNothing() async throws {
        let directory = try temporaryDirectory("bus")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let nats = try NATSServerProcess()
        defer { nats.remove() }
        let mock = try MockProcess()
        defer { mock.stop() }
        let run = try RunProcess(
            ["--only", "binance", "--port", "0", "--store", directory + "/run.sqlite", "--bus", nats.url, "--sink", "jsonl:" + directory + "/acked.jsonl"],
            environment: ["TRIBUTARY_SOURCES_DIR": try sources(mock: mock.url, in: directory)])
        let base = try await run.baseURL()
        try await eventually("the run published a few batches") { (await metric(base, #"ingestion_stored_total{result="stored"}"#) ?? 0) >= 20 }
        run.signal(SIGTERM)
        #expect(await run.wait() == 0, "\(run.stderr.text)")
        let published = try #require(run.final("published "), "\(run.stdout.text)")
        #expect(run.final("lost ") == 0 && run.final("spilled ") == 0)
        // In bus mode the run's own store holds no records: the sinks write.
        #expect(try SQLiteStore(path: directory + "/run.sqlite").recordCount() == 0)

        let first = try await drainWithSink(bus: nats.url, store: directory + "/sink.sqlite", consumer: "sink-a")
        #expect(first.stored + first.duplicates == published, "every stream message processed once")
        #expect(first.deadLettered == 0)
        let check = try compare(acknowledged: directory + "/acked.jsonl", store: directory + "/sink.sqlite")
        #expect(check.lost == 0 && check.unexpected == 0, "\(check)")
        #expect(check.acknowledged > 0)

        // A second consumer replays the whole stream into the same store: all duplicates.
        let replay = try await drainWithSink(bus: nats.url, store: directory + "/sink.sqlite", consumer: "sink-replay")
        #expect(replay.stored == 0 && replay.duplicates == published)
        #expect(try compare(acknowledged: directory + "/acked.jsonl", store: directory + "/sink.sqlite").unexpected == 0)
    }

    /// `import --bus`: the records are published, the checkpoints and bad rows stay in the store
    /// the sink writes; a `kill -9` after two batches and a re-run publish every row once more at
    /// most, and the sink stores each exactly once.
    @Test func anImportPublishedToTheBusResumesAfterAKillAndIsStoredOnce() async throws {
        let directory = try temporaryDirectory("import-bus")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let nats = try NATSServerProcess()
        defer { nats.remove() }
        let rows = 5_000
        var csv = "time,symbol,price,size,trade_id,side\n"
        for i in 0..<rows { csv += "\(1_700_000_000_000 + i),BTC-USD,\(i == 100 ? "n/a" : "95000.\(i % 100)"),0.5,\(i),buy\n" }
        try csv.write(toFile: directory + "/tape.csv", atomically: true, encoding: .utf8)
        try "kind: trade\n".write(toFile: directory + "/rules.yaml", atomically: true, encoding: .utf8)
        let store = directory + "/book.sqlite"
        let arguments = [
            directory + "/tape.csv", "--source", "tape", "--rules", directory + "/rules.yaml", "--store", store, "--bus", nats.url, "--batch-size", "1000",
        ]
        let importing = try RunProcess(arguments, command: "import", environment: ["TRIBUTARY_TEST_IMPORT_STALL_AFTER": "2"])
        #expect(try await importing.waitForStandardError("stalled after batch 2"), "\(importing.stderr.text)")
        importing.signal(SIGKILL)
        _ = await importing.wait()

        let rerun = try Tributary.run(["import"] + arguments)
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(rerun.stdout.contains("(resumed after 2000) → 3000 published to the bus, 0 already there, 0 bad"), "\(rerun.stdout)")
        // The records are on the bus, not in the store; the checkpoint and the bad row are.
        #expect(try SQLiteStore(path: store).recordCount() == 0)
        #expect(try await SQLiteStore(path: store).deadLetterCount() == 1)

        let sink = try await drainWithSink(bus: nats.url, store: store, consumer: "import-sink")
        #expect(sink.stored == rows - 1 && sink.duplicates == 0, "\(sink)")
        #expect(try SQLiteStore(path: store).recordCount() == rows - 1)
        #expect(try Tributary.run(["import"] + arguments).stdout.contains("already imported"))
    }

    @Test func aBusOutageHoldsTheRecordsMakesTheRunNotReadyAndLosesNothing() async throws {
        let directory = try temporaryDirectory("bus-outage")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let nats = try NATSServerProcess()
        defer { nats.remove() }
        let mock = try MockProcess()
        defer { mock.stop() }
        let run = try RunProcess(
            ["--only", "binance", "--port", "0", "--store", directory + "/run.sqlite", "--bus", nats.url, "--sink", "jsonl:" + directory + "/acked.jsonl"],
            environment: ["TRIBUTARY_SOURCES_DIR": try sources(mock: mock.url, in: directory)])
        let base = try await run.baseURL()
        try await eventually("the run published") { (await metric(base, #"ingestion_stored_total{result="stored"}"#) ?? 0) >= 5 }

        nats.stop()
        try await eventually("/ready says the bus does not acknowledge") {
            guard let ready = try? await get(base + "/ready") else { return false }
            let reason = String(decoding: ready.body, as: UTF8.self)
            return ready.status == 503 && reason.contains("bus unavailable") && (reason.contains("not connected") || reason.contains("not acknowledged"))
        }
        try nats.start()
        try await eventually("/ready is 200 again") { (try? await get(base + "/ready"))?.status == 200 }
        let before = await metric(base, #"ingestion_stored_total{result="stored"}"#) ?? 0
        try await eventually("publishing resumed") { (await metric(base, #"ingestion_stored_total{result="stored"}"#) ?? 0) > before }
        run.signal(SIGTERM)
        #expect(await run.wait() == 0, "\(run.stderr.text)")
        #expect(run.final("lost ") == 0 && run.final("spilled ") == 0 && run.final("dead-lettered ") == 0, "\(run.stdout.text)")

        _ = try await drainWithSink(bus: nats.url, store: directory + "/sink.sqlite", consumer: "sink")
        let check = try compare(acknowledged: directory + "/acked.jsonl", store: directory + "/sink.sqlite")
        #expect(check.lost == 0 && check.unexpected == 0, "\(check)")
    }

    @Test func aRunStoppedWhileTheBusIsDownSpillsWhatItHoldsWithinItsDeadline() async throws {
        let directory = try temporaryDirectory("bus-down-stop")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let nats = try NATSServerProcess()
        defer { nats.remove() }
        let mock = try MockProcess()
        defer { mock.stop() }
        let run = try RunProcess(
            ["--only", "binance", "--port", "0", "--store", directory + "/run.sqlite", "--bus", nats.url, "--shutdown-deadline", "5s"],
            environment: ["TRIBUTARY_SOURCES_DIR": try sources(mock: mock.url, in: directory)])
        let base = try await run.baseURL()
        try await eventually("the run published") { (await metric(base, #"ingestion_stored_total{result="stored"}"#) ?? 0) >= 5 }
        nats.stop()
        try await eventually("the run holds records") { (try? await get(base + "/ready"))?.status == 503 }
        run.signal(SIGTERM)
        // Exits by itself (status 1: records were spilled, as with a store outage); a disconnected
        // bus fails each batch at once, so the drain is not held up by acknowledgement timeouts.
        #expect(await run.wait(timeout: .seconds(60)) == 1, "\(run.stderr.text)")
        let spilled = try #require(run.final("spilled "), "\(run.stdout.text)")
        #expect(spilled > 0 && run.final("lost ") == 0)
        let spill = try #require(try FileManager.default.contentsOfDirectory(atPath: directory).first { $0.contains(".unsaved-") })
        let lines = try String(contentsOfFile: directory + "/" + spill, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == spilled)
        #expect(lines.allSatisfy { (try? Envelope(jsonLine: String($0))) != nil })
    }

    @Test(.enabled(if: TestPostgres.url != nil, "needs the PostgreSQL server make test starts"))
    func aPushRetriedOnAnotherInstanceIsAnsweredAsAReplay() async throws {
        let directory = try temporaryDirectory("bus-push")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let nats = try NATSServerProcess()
        defer { nats.remove() }
        let store = try await TestPostgres.freshDatabaseURL()
        let sources = directory + "/sources"
        try FileManager.default.createDirectory(atPath: sources, withIntermediateDirectories: true)
        try "id: open\npush: {}\n".write(toFile: sources + "/open.yaml", atomically: true, encoding: .utf8)
        // Two instances behind one (imagined) load balancer: one bus, one shared store.
        let instances = try (0..<2).map { _ in
            try RunProcess(["--only", "open", "--port", "0", "--store", store, "--bus", nats.url], environment: ["TRIBUTARY_SOURCES_DIR": sources])
        }
        let (a, b) = (try await instances[0].baseURL(), try await instances[1].baseURL())
        let client = HTTPClient()
        let body = Array(#"{"kind":"trade","symbol":"BTC-USD","trade_id":"lb-1","time":1700000000123,"price":"95000.1","size":"0.5"}"#.utf8)
        func push(_ base: String) async throws -> HTTPResponse {
            try await client.send(
                HTTPRequest(
                    method: .post, url: base + "/ingest/open?ack=durable",
                    headers: HTTPHeaders([("Content-Type", "application/json"), ("Idempotency-Key", "order-7")]), body: body))
        }
        let first = try await push(a)
        let retried = try await push(b)
        await client.shutdown()
        #expect(first.status == 200, "\(String(decoding: first.body, as: UTF8.self))")
        #expect(retried.status == first.status && retried.body == first.body, "the retry gets the first answer, request id included")
        #expect(retried.headers["idempotent-replayed"] == "true")
        for instance in instances { instance.signal(SIGTERM) }
        for instance in instances { #expect(await instance.wait() == 0, "\(instance.stderr.text)") }
        #expect(instances.compactMap { $0.final("published ") }.reduce(0, +) == 1, "only the first push reached the bus")
        let drained = try await drainWithSink(bus: nats.url, store: store, consumer: "sink")
        #expect(drained.stored == 1 && drained.duplicates == 0)
    }
}
