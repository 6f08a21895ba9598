import Foundation
import Synchronization
import Testing
import TributaryCore
import TributaryTesting

/// `tributary import s3://…` against a real S3-compatible server (moto, on loopback), objects
/// put and deleted with boto3: the first import reads every object, a re-run reads none, a
/// changed object is re-imported with its revisions counted, a deleted one recorded; a missing
/// bucket and missing credentials are clear errors. A `FaultProxy` in front of moto counts the
/// object GETs and injects what moto cannot (503 SlowDown, 403 AccessDenied).
@Suite(.serialized, .timeLimit(.minutes(5))) struct S3ImportTests {
    static let header = "symbol,trade_id,time,price,size\n"

    struct Bucket {
        let moto: MotoServerProcess
        let directory: String

        func arguments(_ url: String, _ extra: [String] = [], endpoint: String? = nil) -> [String] {
            [
                "import", url, "--endpoint-url", endpoint ?? moto.endpoint, "--source", "tape", "--rules", directory + "/rules.yaml", "--store",
                directory + "/t.sqlite",
            ]
                + extra
        }

        func put(_ key: String, _ text: String, gzip: Bool = false) throws {
            let file = directory + "/upload"
            try text.write(toFile: file, atomically: true, encoding: .utf8)
            if gzip {
                let (status, output) = try ExternalTool.run("/usr/bin/env", ["gzip", "-f", file])
                #expect(status == 0, "\(output)")
                try moto.put("ticks", key, file: file + ".gz")
            } else {
                try moto.put("ticks", key, file: file)
            }
        }
    }

    static let credentials = ["AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_REGION": "us-east-1"]

    func withBucket(_ body: (Bucket) throws -> Void) throws {
        let directory = try temporaryDirectory("s3-import")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let moto = try MotoServerProcess()
        defer { moto.stop() }
        try "kind: trade\n".write(toFile: directory + "/rules.yaml", atomically: true, encoding: .utf8)
        try moto.makeBucket("ticks")
        try body(Bucket(moto: moto, directory: directory))
    }

    func exportedTrades(_ bucket: Bucket) throws -> [String] {
        let run = try Tributary.run(["export", "--kind", "trade", "--format", "jsonl", "--store", bucket.directory + "/t.sqlite"])
        #expect(run.status == 0, "\(run.stderr)")
        return run.stdout.split(separator: "\n").map(String.init)
    }

    @Test func importsTheDeltaOfABucket() throws {
        try withBucket { bucket in
            try bucket.put("2026/a.csv", Self.header + "BTC-USD,1,2026-12-01T00:00:00Z,100.5,1\nBTC-USD,2,2026-12-01T00:00:01Z,101,2\n")
            try bucket.put("2026/b.csv.gz", Self.header + "ETH-USD,3,2026-12-01T00:00:00Z,10.5,1\n", gzip: true)
            try bucket.put("2026/readme.txt", "not a table")
            try bucket.put(
                "2026/c.ndjson", #"{"kind":"trade","symbol":"SOL-USD","trade_id":"5","time":"2026-12-01T00:00:00Z","price":"20","size":"3"}"# + "\n")
            try bucket.put("2025/old.csv", Self.header + "BTC-USD,9,2025-12-01T00:00:00Z,1,1\n")

            let first = try Tributary.run(bucket.arguments("s3://ticks/2026/"), environment: Self.credentials)
            #expect(first.status == 0, "\(first.stderr)")
            #expect(first.stdout.contains("s3://ticks/2026/a.csv: 2 rows → 2 stored"))
            #expect(first.stdout.contains("s3://ticks/2026/b.csv.gz: 1 rows → 1 stored"))
            #expect(first.stdout.contains("s3://ticks/2026/c.ndjson: 1 rows → 1 stored"))
            #expect(first.stdout.contains("4 objects listed, 3 imported, 0 unchanged (not read)"))
            #expect(first.stdout.contains("1 object(s) not read"))
            var trades = try exportedTrades(bucket)
            #expect(trades.count == 4)
            #expect(trades.allSatisfy { $0.contains("\"source_type\":\"s3\"") && $0.contains("s3://ticks/2026/") })

            let again = try Tributary.run(bucket.arguments("s3://ticks/2026/"), environment: Self.credentials)
            #expect(again.status == 0, "\(again.stderr)")
            #expect(again.stdout.contains("0 imported, 3 unchanged (not read)"))
            #expect(again.stdout.contains("; 0.0 MB read"))

            try bucket.put("2026/a.csv", Self.header + "BTC-USD,1,2026-12-01T00:00:00Z,100.75,1\nBTC-USD,2,2026-12-01T00:00:01Z,101,2\n")
            try bucket.moto.delete("ticks", "2026/b.csv.gz")
            let changed = try Tributary.run(bucket.arguments("s3://ticks/2026/"), environment: Self.credentials)
            #expect(changed.status == 0, "\(changed.stderr)")
            #expect(changed.stdout.contains("s3://ticks/2026/a.csv: 2 rows → 1 stored, 1 already there"))
            #expect(changed.stdout.contains("s3://ticks/2026/b.csv.gz: deleted since the last import"))
            #expect(changed.stdout.contains("1 imported, 1 unchanged (not read), 0 same bytes under a new tag, 1 left out, 1 deleted"))
            trades = try exportedTrades(bucket)
            #expect(trades.count == 4)
            #expect(trades.contains { $0.contains("\"price\":\"100.75\"") })

            // --include narrows the listing; the 2025 prefix is a separate location.
            let older = try Tributary.run(bucket.arguments("s3://ticks/", ["--include", "2025/*"]), environment: Self.credentials)
            #expect(older.status == 0, "\(older.stderr)")
            #expect(older.stdout.contains("s3://ticks/2025/old.csv: 1 rows → 1 stored"))
            #expect(older.stdout.contains("1 imported"))
        }
    }

    /// The object GETs (not listings) a proxy saw for keys under `prefix`.
    static func objectGets(_ proxy: FaultProxy, _ prefix: String) -> [String] {
        proxy.requests.filter { $0.hasPrefix("GET /ticks/\(prefix)") && !$0.contains("list-type=") }
    }

    @Test func throttlingIsWaitedOutUnchangedObjectsAreNotReadAndAccessDeniedSaysWhatToDo() throws {
        try withBucket { bucket in
            try bucket.put("t/a.csv", Self.header + "BTC-USD,1,2026-12-01T00:00:00Z,100.5,1\n")
            try bucket.put("t/b.csv", Self.header + "BTC-USD,2,2026-12-01T00:00:01Z,101,1\n")
            let slowDowns = Atomic<Int>(0)
            let denied = Atomic<Bool>(false)
            let proxy = try FaultProxy(upstreamPort: bucket.moto.port) { request in
                if denied.load(ordering: .relaxed) {
                    return LoopbackResponse(
                        status: 403, headers: [("Content-Type", "application/xml")],
                        body: Array("<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>".utf8))
                }
                // The first two reads of a.csv are throttled, as S3 does under a request burst.
                guard request.method == "GET", request.path == "/ticks/t/a.csv", slowDowns.add(1, ordering: .relaxed).newValue <= 2 else { return nil }
                return LoopbackResponse(
                    status: 503, headers: [("Content-Type", "application/xml"), ("Retry-After", "0")],
                    body: Array("<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>".utf8))
            }
            defer { proxy.stop() }

            let first = try Tributary.run(bucket.arguments("s3://ticks/t/", endpoint: proxy.endpoint), environment: Self.credentials)
            #expect(first.status == 0, "\(first.stderr)")
            #expect(first.stdout.contains("2 objects listed, 2 imported"), "\(first.stdout)")
            // Two throttled reads and the one that got through; b.csv read once.
            #expect(Self.objectGets(proxy, "t/a.csv").count == 3, "\(proxy.requests)")
            #expect(Self.objectGets(proxy, "t/b.csv").count == 1, "\(proxy.requests)")
            #expect(try exportedTrades(bucket).count == 2)

            let before = Self.objectGets(proxy, "t/").count
            let again = try Tributary.run(bucket.arguments("s3://ticks/t/", endpoint: proxy.endpoint), environment: Self.credentials)
            #expect(again.status == 0, "\(again.stderr)")
            #expect(again.stdout.contains("0 imported, 2 unchanged (not read)"))
            #expect(Self.objectGets(proxy, "t/").count == before, "an unchanged object's body was read again")

            denied.store(true, ordering: .relaxed)
            let refused = try Tributary.run(bucket.arguments("s3://ticks/t/", endpoint: proxy.endpoint), environment: Self.credentials)
            #expect(refused.status != 0)
            #expect(refused.stderr.contains("access denied; the key needs s3:ListBucket"), "\(refused.stderr)")
            // Access denied is not retried: one listing request, no more.
            #expect(proxy.requests.count(where: { $0.contains("list-type=") }) == 3, "\(proxy.requests)")
        }
    }

    @Test func killNineMidObjectThenResumeGivesTheExactCount() async throws {
        let directory = try temporaryDirectory("s3-kill")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let moto = try MotoServerProcess()
        defer { moto.stop() }
        try "kind: trade\n".write(toFile: directory + "/rules.yaml", atomically: true, encoding: .utf8)
        try moto.makeBucket("ticks")
        let bucket = Bucket(moto: moto, directory: directory)
        let rows = 5_000
        var csv = Self.header
        for index in 0..<rows { csv += "BTC-USD,\(index),2026-12-01T00:00:00Z,\(100 + index % 7).25,1\n" }
        try bucket.put("big/tape.csv", csv)
        let arguments = bucket.arguments("s3://ticks/big/", ["--batch-size", "1000"])

        // The import stops after its third batch commits (a test hook that says so on standard
        // error), so the kill lands at a known point mid-object on any machine speed.
        var environment = Self.credentials
        environment["TRIBUTARY_TEST_IMPORT_STALL_AFTER"] = "3"
        let importing = try RunProcess(Array(arguments.dropFirst()), command: "import", environment: environment)
        let stalled = try await importing.waitForStandardError("stalled after batch 3", timeout: .seconds(120))
        #expect(stalled, "the import ended before it could be killed: \(importing.stderr.text)")
        importing.signal(SIGKILL)
        _ = await importing.wait()
        #expect(try exportedTrades(bucket).count == 3_000)

        let rerun = try Tributary.run(arguments, environment: Self.credentials)
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(rerun.stdout.contains("s3://ticks/big/tape.csv: 2000 rows (resumed after 3000) → 2000 stored"), "\(rerun.stdout)")
        #expect(try exportedTrades(bucket).count == rows)
        let again = try Tributary.run(arguments, environment: Self.credentials)
        #expect(again.stdout.contains("0 imported, 1 unchanged (not read)"), "\(again.stdout)")
        #expect(try exportedTrades(bucket).count == rows)
    }

    /// The peak resident set an import prints on its last line, in MB.
    static func peakMemory(_ output: String) -> Int? {
        guard let range = output.range(of: "; peak memory ") else { return nil }
        return Int(output[range.upperBound...].prefix { $0.isNumber })
    }

    /// An object is copied in ranges and imported in batches, so memory does not grow with its
    /// size: the peak for a 200 MB object is within 20 MB of the peak for a 20 MB one.
    @Test func memoryStaysFlatFromA20MBToA200MBObject() throws {
        try withBucket { bucket in
            var peaks: [Int] = []
            for (name, rows) in [("small", 420_000), ("large", 4_200_000)] {
                let file = bucket.directory + "/\(name).csv"
                let generated = try ExternalTool.run(
                    "/usr/bin/env", ["python3", PackageRoot.url.appendingPathComponent("Benchmarks/trades_csv.py").path, file, String(rows)])
                #expect(generated.status == 0, "\(generated.output)")
                try bucket.moto.put("ticks", "\(name)/tape.csv", file: file)
                try FileManager.default.removeItem(atPath: file)
                let run = try Tributary.run(
                    [
                        "import", "s3://ticks/\(name)/", "--endpoint-url", bucket.moto.endpoint, "--source", "tape", "--rules",
                        bucket.directory + "/rules.yaml",
                        "--store", bucket.directory + "/\(name).sqlite",
                    ],
                    environment: Self.credentials, binary: Tributary.releaseExecutable)
                #expect(run.status == 0, "\(run.stderr)")
                #expect(run.stdout.contains("import: 1 file(s), \(rows) rows, \(rows) stored"), "\(run.stdout)")
                peaks.append(try #require(Self.peakMemory(run.stdout), "\(run.stdout)"))
            }
            print("peak memory: 20 MB object \(peaks[0]) MB, 200 MB object \(peaks[1]) MB")
            #expect(peaks[1] - peaks[0] <= 20, "peak memory grew from \(peaks[0]) MB to \(peaks[1]) MB with the object's size")
        }
    }

    @Test func aMissingBucketAndMissingCredentialsSayWhatToDo() throws {
        try withBucket { bucket in
            let secret = ["AWS_ACCESS_KEY_ID": "AKIDVISIBLE", "AWS_SECRET_ACCESS_KEY": "s3cr3t-never-printed"]
            let missing = try Tributary.run(bucket.arguments("s3://no-such-bucket/x/"), environment: secret)
            #expect(missing.status != 0)
            #expect(missing.stderr.contains("s3://no-such-bucket/x/: no such bucket"), "\(missing.stderr)")
            #expect(!(missing.stderr + missing.stdout).contains("s3cr3t-never-printed"))

            let home = bucket.directory + "/home"
            try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
            let anonymous = try Tributary.run(
                bucket.arguments("s3://ticks/"), environment: ["AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_PROFILE": "", "HOME": home])
            #expect(anonymous.status != 0)
            #expect(anonymous.stderr.contains("no AWS credentials"), "\(anonymous.stderr)")

            let badURL = try Tributary.run(bucket.arguments("s3://Bad_Bucket/"), environment: Self.credentials)
            #expect(badURL.status != 0)
            #expect(badURL.stderr.contains("is not a bucket name"))
        }
    }
}
