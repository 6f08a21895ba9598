import Foundation
import Testing
import TributaryCore
import TributaryTesting

/// `tributary import s3://…` against a real S3-compatible server (moto, on loopback), objects
/// put and deleted with boto3: the first import reads every object, a re-run reads none, a
/// changed object is re-imported with its revisions counted, a deleted one recorded; a missing
/// bucket and missing credentials are clear errors.
@Suite(.serialized, .timeLimit(.minutes(5))) struct S3ImportTests {
    static let header = "symbol,trade_id,time,price,size\n"

    struct Bucket {
        let moto: MotoServerProcess
        let directory: String

        func arguments(_ url: String, _ extra: [String] = []) -> [String] {
            ["import", url, "--endpoint-url", moto.endpoint, "--source", "tape", "--rules", directory + "/rules.yaml", "--store", directory + "/t.sqlite"]
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
