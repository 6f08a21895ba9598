import Foundation
import Testing
import TributaryCore
import TributaryTesting

/// How a bucket is listed, against moto behind a counting proxy: pages of `--page-size` keys
/// followed by their continuation tokens, `--delimiter /` reading one level, and
/// `--start-after` only later keys — neither taking what it did not list for deleted.
@Suite(.serialized, .timeLimit(.minutes(5))) struct S3ListingTests {
    static let credentials = ["AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_REGION": "us-east-1"]

    @Test func pagesOneLevelAndAStartKey() throws {
        let directory = try temporaryDirectory("s3-listing")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let moto = try MotoServerProcess()
        defer { moto.stop() }
        try moto.makeBucket("ticks")
        try "kind: trade\n".write(toFile: directory + "/rules.yaml", atomically: true, encoding: .utf8)
        let names = ["a.csv", "b.csv", "c.csv", "d.csv", "e.csv", "sub/f.csv", "sub/g.csv"]
        for (index, name) in names.enumerated() {
            try "symbol,trade_id,time,price,size\nBTC-USD,\(index),2026-12-01T00:00:00Z,1,1\n".write(
                toFile: directory + "/upload", atomically: true, encoding: .utf8)
            try moto.put("ticks", "p/" + name, file: directory + "/upload")
        }
        let proxy = try FaultProxy(upstreamPort: moto.port)
        defer { proxy.stop() }
        func importing(_ extra: [String], store: String) throws -> Tributary.Run {
            let run = try Tributary.run(
                [
                    "import", "s3://ticks/p/", "--endpoint-url", proxy.endpoint, "--source", "tape", "--rules", directory + "/rules.yaml", "--store",
                    directory + "/" + store,
                ] + extra, environment: Self.credentials)
            #expect(run.status == 0, "\(run.stderr)")
            return run
        }
        func listings() -> [String] { proxy.requests.filter { $0.contains("list-type=2") } }

        // Seven keys in pages of two: four listing requests, each after the first with the
        // token the one before returned.
        let paged = try importing(["--page-size", "2"], store: "paged.sqlite")
        #expect(paged.stdout.contains("7 objects listed, 7 imported"), "\(paged.stdout)")
        #expect(listings().count == 4, "\(listings())")
        #expect(listings().allSatisfy { $0.contains("max-keys=2") })
        #expect(listings().dropFirst().allSatisfy { $0.contains("continuation-token=") }, "\(listings())")

        // One level: sub/ rolled up, not read, and not deleted from the paged store either.
        let top = try importing(["--delimiter", "/"], store: "paged.sqlite")
        #expect(top.stdout.contains("1 sub-prefix(es) not read (--delimiter '/'), e.g. p/sub/"), "\(top.stdout)")
        #expect(
            top.stdout.contains("5 objects listed, 0 imported, 5 unchanged (not read), 0 same bytes under a new tag, 0 left out, 0 deleted"), "\(top.stdout)")
        #expect(listings().last?.contains("delimiter=%2F") == true, "\(listings())")

        // Only keys after c.csv (below the prefix), into a new store.
        let later = try importing(["--start-after", "c.csv"], store: "later.sqlite")
        #expect(later.stdout.contains("4 objects listed, 4 imported"), "\(later.stdout)")
        #expect(listings().last?.contains("start-after=p%2Fc.csv") == true, "\(listings())")
        #expect(!later.stdout.contains("s3://ticks/p/a.csv"), "\(later.stdout)")
    }
}
