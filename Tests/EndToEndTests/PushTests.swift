import Engine
import Foundation
import Pipeline
import StoreSQLite
import Synchronization
import Testing
import Transport
import TributaryCore
import TributaryTesting

/// `POST /ingest` on the real `tributary run` binary: signatures, idempotency under concurrency,
/// overload, and durable acknowledgements surviving `kill -9`.
@Suite(.serialized, .timeLimit(.minutes(8))) struct PushTests {
    static let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

    /// A run with push sources only: `signed` (Standard Webhooks) and `open` (unsigned).
    func start(_ directory: String, extra: [String] = [], environment: [String: String] = [:]) async throws -> (RunProcess, String) {
        let sources = directory + "/sources"
        try FileManager.default.createDirectory(atPath: sources, withIntermediateDirectories: true)
        // The published vector is from 2021: a tolerance of years lets it be checked as is.
        try "id: signed\npush:\n  signature: { scheme: standard-webhooks, secret_env: SIGNED_SECRET, tolerance: 4000d }\n"
            .write(toFile: sources + "/signed.yaml", atomically: true, encoding: .utf8)
        try "id: open\npush: { max_body_bytes: 1048576 }\n".write(toFile: sources + "/open.yaml", atomically: true, encoding: .utf8)
        var env = ["TRIBUTARY_SOURCES_DIR": sources, "SIGNED_SECRET": Self.secret]
        env.merge(environment) { $1 }
        let run = try RunProcess(["--only", "signed", "--port", "0", "--store", directory + "/t.sqlite"] + extra, environment: env)
        return (run, try await run.baseURL())
    }

    func post(_ client: HTTPClient, _ url: String, _ body: String, headers: [(String, String)] = [], type: String = "application/json") async throws
        -> HTTPResponse
    {
        // Generous timeouts: on a machine loaded by the other suites (a full `make test` on 2 cores)
        // the server can take seconds to accept; a slow answer must not read as a lost request.
        try await client.send(
            HTTPRequest(
                method: .post, url: url, headers: HTTPHeaders([("Content-Type", type)] + headers), body: Array(body.utf8),
                connectTimeout: .seconds(60), totalTimeout: .seconds(120)))
    }

    func trade(_ id: Int) -> String {
        #"{"kind":"trade","symbol":"BTC-USD","trade_id":"\#(id)","time":1700000000123,"price":"95000.1","size":"0.5","side":"buy"}"#
    }

    @Test func theStandardWebhooksVectorVerifiesAndEveryBitFlipIsRejected() async throws {
        let directory = try temporaryDirectory("push-sign")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (run, base) = try await start(directory)
        let client = HTTPClient()
        let body = #"{"test": 2432232314}"#
        let signature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        func headers(_ id: String, _ signature: String) -> [(String, String)] {
            [("webhook-id", id), ("webhook-timestamp", "1614265330"), ("webhook-signature", signature)]
        }
        // Bit flips of the body first (each with a fresh id so none is taken for a replay).
        var flips = 0
        for index in stride(from: 0, to: body.utf8.count, by: 3) {
            var bytes = Array(body.utf8)
            bytes[index] ^= 0x01
            let flipped = try await client.send(
                HTTPRequest(
                    method: .post, url: base + "/ingest/signed",
                    headers: HTTPHeaders([("Content-Type", "application/json")] + headers("msg-flip-\(index)", signature)), body: bytes))
            #expect(flipped.status == 401, "flip at \(index): \(flipped.bodyText)")
            flips += 1
        }
        #expect(flips >= 6)
        let wrongSignature = try await post(
            client, base + "/ingest/signed", body, headers: headers("msg-sig", "v1,h0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="))
        #expect(wrongSignature.status == 401 && wrongSignature.bodyText.contains("no v1 signature"))
        // The vector itself verifies: it gets past the signature to record validation (the
        // vector's body is not a market-data event).
        let accepted = try await post(client, base + "/ingest/signed", body, headers: headers("msg_p5jXN8AQM9LWM0D4loKWxJek", signature))
        #expect(accepted.status == 422, "\(accepted.bodyText)")
        #expect(accepted.bodyText.contains(#""field":"kind""#))
        // The same message id again is a replay.
        let replay = try await post(client, base + "/ingest/signed", body, headers: headers("msg_p5jXN8AQM9LWM0D4loKWxJek", signature))
        #expect(replay.status == 401 && replay.bodyText.contains("replay"))
        // Bodies never reach the logs.
        await client.shutdown()
        run.signal(SIGTERM)
        #expect(await run.wait() == 0)
        #expect(!run.stderr.text.contains("2432232314"))
    }

    @Test func duplicateIdempotencyKeysFromSixteenConnectionsStoreEachEventOnce() async throws {
        let directory = try temporaryDirectory("push-idem")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (run, base) = try await start(directory)
        var pool = PoolConfiguration()
        pool.maxConnectionsPerHost = 16
        let client = HTTPClient(configuration: pool)
        // 10,000 requests: 7,000 unique keys, 3,000 repeats of earlier ones (same key, same body).
        let unique = 7_000
        var plan = Array(0..<unique)
        var generator = SplitMix64(seed: 7)
        for _ in 0..<3_000 { plan.append(Int(generator.next() % UInt64(unique))) }
        plan.shuffle(using: &generator)
        let next = SharedCounter()
        let statuses = Shared<[Int: Int]>([:])
        let planned = plan
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<16 {
                group.addTask {
                    while true {
                        let index = next.take(1)
                        guard index < planned.count else { return }
                        let id = planned[index]
                        let status =
                            (try? await self.post(client, base + "/ingest/open", self.trade(id), headers: [("Idempotency-Key", "key-\(id)")]).status) ?? -1
                        statuses.withLock { $0[status, default: 0] += 1 }
                    }
                }
            }
        }
        await client.shutdown()
        run.signal(SIGTERM)
        #expect(await run.wait() == 0, "\(run.stderr.text)")
        let counts = statuses.withLock { $0 }
        // 202 for first uses and replays; 409 only while a twin was still in flight.
        #expect(Set(counts.keys).isSubset(of: [202, 409]), "\(counts)")
        #expect(counts[202, default: 0] >= unique)
        #expect(try SQLiteStore(path: directory + "/t.sqlite").recordCount() == unique)
    }

    @Test func overloadIsAnsweredOnlyWith429sAndNothingAcceptedIsLost() async throws {
        let directory = try temporaryDirectory("push-overload")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (run, base) = try await start(
            directory,
            environment: [
                "TRIBUTARY_BUFFER_CAPACITY": "16", "TRIBUTARY_STORE_BATCH_SIZE": "1", "TRIBUTARY_STORE_LINGER": "0s",
                // Refused at once when full (the wait for room has its own test on a manual clock):
                // with a wait, whether any request is refused would depend on the machine's speed.
                "TRIBUTARY_PUSH_WAIT_FOR_ROOM": "0s",
            ])
        var pool = PoolConfiguration()
        pool.maxConnectionsPerHost = 16
        let client = HTTPClient(configuration: pool)
        let sent = SharedCounter()
        let acceptedEvents = SharedCounter()
        let statuses = Shared<[Int: Int]>([:])
        let retryAfterMissing = SharedCounter()
        let deadline = ContinuousClock.now + .seconds(3)
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<16 {
                group.addTask {
                    while ContinuousClock.now < deadline {
                        let first = sent.take(12)
                        let body = "[" + (first..<(first + 12)).map { self.trade($0) }.joined(separator: ",") + "]"
                        guard let response = try? await self.post(client, base + "/ingest/open", body) else { continue }
                        statuses.withLock { $0[response.status, default: 0] += 1 }
                        if response.status == 202 { _ = acceptedEvents.take(12) }
                        if response.status == 429, response.headers["retry-after"] == nil { _ = retryAfterMissing.take(1) }
                    }
                }
            }
        }
        await client.shutdown()
        let rss = ProcessStatus.peakResidentMegabytes(pid: run.process.processIdentifier)
        run.signal(SIGTERM)
        #expect(await run.wait() == 0, "\(run.stderr.text)")
        let counts = statuses.withLock { $0 }
        #expect(Set(counts.keys).isSubset(of: [202, 429]), "\(counts)")
        #expect(counts[429, default: 0] > 0, "never overloaded: \(counts)")
        #expect(retryAfterMissing.value == 0)
        #expect(rss < 200, "peak RSS \(rss) MB")
        // Every event answered 202 is in the store; none of the refused ones is.
        #expect(try SQLiteStore(path: directory + "/t.sqlite").recordCount() == acceptedEvents.value)
    }

    @Test func durablyAcknowledgedEventsSurviveKill9() async throws {
        let directory = try temporaryDirectory("push-durable")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (run, base) = try await start(directory)
        var pool = PoolConfiguration()
        pool.maxConnectionsPerHost = 8
        let client = HTTPClient(configuration: pool)
        let acked = Shared<[Int]>([])
        let next = SharedCounter()
        let stop = ContinuousClock.now + .seconds(2)
        let killer = Task {
            try await Task.sleep(for: .milliseconds(1_500))
            run.signal(SIGKILL)
        }
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    while ContinuousClock.now < stop {
                        let first = next.take(5)
                        let body = (first..<(first + 5)).map { self.trade($0) }.joined(separator: "\n")
                        guard let response = try? await self.post(client, base + "/ingest/open?ack=durable", body, type: "application/x-ndjson"),
                            response.status == 200
                        else { continue }
                        acked.withLock { $0.append(contentsOf: first..<(first + 5)) }
                    }
                }
            }
        }
        _ = try? await killer.value
        await client.shutdown()
        _ = await run.wait()
        let ids = acked.withLock { $0 }
        #expect(ids.count > 50, "too few durable acknowledgements before the kill: \(ids.count)")
        let store = try SQLiteStore(path: directory + "/t.sqlite")
        var missing = 0
        for id in ids where try store.storedLine(source: "open", kind: .trade, symbol: "BTC-USD", naturalKey: String(id)) == nil { missing += 1 }
        #expect(missing == 0, "\(missing) of \(ids.count) acknowledged events are not in the store")
    }
}

/// Another process's peak resident set, from /proc.
enum ProcessStatus {
    static func peakResidentMegabytes(pid: Int32) -> Double {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            return (line.split(separator: " ").compactMap { Double($0) }.first ?? 0) / 1024
        }
        return 0
    }
}

/// A counter shared by test tasks.
final class SharedCounter: Sendable {
    private let count = Atomic<Int>(0)
    /// Adds `n`, returning the value before.
    func take(_ n: Int) -> Int { count.add(n, ordering: .relaxed).oldValue }
    var value: Int { count.load(ordering: .relaxed) }
}

/// A value shared by test tasks.
final class Shared<Value: Sendable>: Sendable {
    private let value: Mutex<Value>
    init(_ value: Value) { self.value = Mutex(value) }
    func withLock<T>(_ body: (inout Value) -> T) -> T { value.withLock { body(&$0) } }
}
