import Engine
import Foundation
import Pipeline
import StoreSQLite
import Testing
import Transport
import TributaryCore
import TributaryTesting

/// Regression tests for the crash and collision defects found by hostile probing, on the real
/// binary: each request that once killed `run` or merged two records is answered with a clear
/// status, the server stays up, and what it acknowledged is stored exactly.
@Suite(.serialized, .timeLimit(.minutes(3))) struct HostileInputTests {
    /// `signed` (Standard Webhooks) and `open` (unsigned) push-only sources.
    func start(_ directory: String) async throws -> (RunProcess, String) {
        let sources = directory + "/sources"
        try FileManager.default.createDirectory(atPath: sources, withIntermediateDirectories: true)
        try "id: signed\npush:\n  signature: { scheme: standard-webhooks, secret_env: SIGNED_SECRET }\n"
            .write(toFile: sources + "/signed.yaml", atomically: true, encoding: .utf8)
        try "id: open\npush: {}\n".write(toFile: sources + "/open.yaml", atomically: true, encoding: .utf8)
        let run = try RunProcess(
            ["--only", "open", "--port", "0", "--store", directory + "/t.sqlite"],
            environment: ["TRIBUTARY_SOURCES_DIR": sources, "SIGNED_SECRET": PushTests.secret])
        return (run, try await run.baseURL())
    }

    func post(_ client: HTTPClient, _ url: String, _ body: [UInt8], headers: [(String, String)] = [], type: String = "application/json") async throws
        -> HTTPResponse
    {
        try await client.send(HTTPRequest(method: .post, url: url, headers: HTTPHeaders([("Content-Type", type)] + headers), body: body))
    }

    func trade(id: String = "t1", time: String = "1700000000123", size: String = "\"0.5\"") -> String {
        #"{"kind":"trade","symbol":"BTC-USD","trade_id":"\#(id)","time":\#(time),"price":"95000.1","size":\#(size)}"#
    }

    @Test func hostileWebhookTimestampsAre401AndTheServerStaysUp() async throws {
        let directory = try temporaryDirectory("hostile-ts")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (run, base) = try await start(directory)
        let client = HTTPClient()
        for timestamp in ["-9223372036854775808", "-9223372036854770000", "9223372036854775807", "99999999999999999999", "-1"] {
            let answer = try await post(
                client, base + "/ingest/signed", Array(trade().utf8),
                headers: [("webhook-id", "msg-\(timestamp)"), ("webhook-timestamp", timestamp), ("webhook-signature", "v1,AAAA")])
            #expect(answer.status == 401, "\(timestamp): \(answer.bodyText)")
            #expect(answer.bodyText.contains("webhook-timestamp"), "\(answer.bodyText)")
        }
        let health = try await client.send(HTTPRequest(url: base + "/health"))
        #expect(health.status == 200)
        await client.shutdown()
        run.signal(SIGTERM)
        #expect(await run.wait() == 0, "\(run.stderr.text)")
    }

    @Test func timesOutsideTheRangeAre422AndTheBoundariesAreStoredExactly() async throws {
        let directory = try temporaryDirectory("hostile-time")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (run, base) = try await start(directory)
        let client = HTTPClient()
        let outside = [
            #""2262-04-12T00:00:00Z""#, #""9999-12-31T23:59:59Z""#, #""0000-01-01T00:00:00Z""#, #""1677-09-21T00:12:43.145Z""#,
            #""9999999999""#, "9999999999", "-9999999999", #""99999999999999.5""#,
        ]
        for time in outside {
            let answer = try await post(client, base + "/ingest/open", Array(trade(time: time).utf8))
            #expect(answer.status == 422, "\(time): \(answer.bodyText)")
            #expect(answer.bodyText.contains(#""field":"time""#) && answer.bodyText.contains("1677-09-21T00:12:43.146Z"), "\(answer.bodyText)")
        }
        let boundaries = ["1677-09-21T00:12:43.146Z", "2262-04-11T23:47:16.854Z"]
        for (index, time) in boundaries.enumerated() {
            let answer = try await post(client, base + "/ingest/open?ack=durable", Array(trade(id: "edge\(index)", time: "\"\(time)\"").utf8))
            #expect(answer.status == 200, "\(time): \(answer.bodyText)")
        }
        await client.shutdown()
        run.signal(SIGTERM)
        #expect(await run.wait() == 0, "\(run.stderr.text)")
        let store = try SQLiteStore(path: directory + "/t.sqlite")
        for (index, time) in boundaries.enumerated() {
            let stored = try store.storedLine(source: "open", kind: .trade, symbol: "BTC-USD", naturalKey: "edge\(index)")
            #expect(stored?.line.contains(#""time":"\#(time)""#) == true, "\(String(describing: stored))")
        }
    }

    @Test func identitiesAreStoredExactlyOrRefusedNeverMerged() async throws {
        let directory = try temporaryDirectory("hostile-id")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (run, base) = try await start(directory)
        let client = HTTPClient()
        let url = base + "/ingest/open?ack=durable"
        // NUL and other control characters in an id: 422 naming the field.
        for id in [#"nul\u0000one"#, #"nul\u0000two"#, #"tab\there"#, #"del\u007f"#] {
            let answer = try await post(client, url, Array(trade(id: id).utf8))
            #expect(answer.status == 422 && answer.bodyText.contains(#""field":"trade_id""#), "\(id): \(answer.bodyText)")
        }
        // Invalid UTF-8 is a 400 at its byte, not two ids turned into one U+FFFD.
        for byte: UInt8 in [0xFF, 0xFE] {
            var body = Array(trade(id: "badX").utf8)
            body[body.firstIndex(of: UInt8(ascii: "X"))!] = byte
            let answer = try await post(client, url, body)
            #expect(answer.status == 400 && answer.bodyText.contains("UTF-8"), "\(answer.bodyText)")
        }
        // A key sent twice is ambiguous: 400.
        let twice = #"{"kind":"trade","symbol":"BTC-USD","trade_id":"a","trade_id":"b","time":1700000000123,"price":"1","size":"1"}"#
        let duplicate = try await post(client, url, Array(twice.utf8))
        #expect(duplicate.status == 400 && duplicate.bodyText.contains("duplicate key 'trade_id'"), "\(duplicate.bodyText)")
        // Another charset is not read as UTF-8: 415.
        let utf16 = try await post(client, url, Array(trade().utf8), type: "application/json; charset=utf-16")
        #expect(utf16.status == 415, "\(utf16.bodyText)")
        // Over-long symbols and negative sizes: 422.
        let long = trade().replacingOccurrences(of: "BTC-USD", with: String(repeating: "X", count: RecordBuilder.maxSymbolBytes + 1))
        let tooLong = try await post(client, url, Array(long.utf8))
        #expect(tooLong.status == 422 && tooLong.bodyText.contains(#""field":"symbol""#), "\(tooLong.bodyText)")
        let negative = try await post(client, url, Array(trade(size: #""-0.5""#).utf8))
        #expect(negative.status == 422 && negative.bodyText.contains("must not be negative"), "\(negative.bodyText)")
        // Distinct ids that differ only in non-ASCII text stay distinct.
        for id in ["caf\u{e9}", "cafe\u{301}", "caf\u{e8}"] {
            let answer = try await post(client, url, Array(trade(id: id).utf8))
            #expect(answer.status == 200, "\(answer.bodyText)")
        }
        await client.shutdown()
        run.signal(SIGTERM)
        #expect(await run.wait() == 0, "\(run.stderr.text)")
        #expect(try SQLiteStore(path: directory + "/t.sqlite").recordCount() == 3)
    }

    @Test func anImportRowOutsideTheTimeRangeIsADeadLetterAndStrictAbortsCleanly() throws {
        let directory = try temporaryDirectory("hostile-import")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let csv = directory + "/tape.csv"
        var text = "time,symbol,price,size,trade_id\n"
        for i in 0..<20 { text += "\(1_700_000_000_000 + i),BTC-USD,95000.\(i),0.5,\(i)\n" }
        text += "9999-12-31T23:59:59Z,BTC-USD,1,1,far\n"  // line 22
        text += "2262-04-11T23:47:16.854Z,BTC-USD,1,1,edge\n"  // the boundary itself
        text += "0,BTC-USD,1,1,nul\u{0}id\n"  // line 24
        try text.write(toFile: csv, atomically: true, encoding: .utf8)
        try "kind: trade\n".write(toFile: directory + "/rules.yaml", atomically: true, encoding: .utf8)
        let arguments = ["import", csv, "--source", "tape", "--rules", directory + "/rules.yaml", "--store", directory + "/t.sqlite", "--batch-size", "5"]

        let strict = try Tributary.run(arguments + ["--strict"])
        #expect(strict.status != 0)
        #expect(strict.stderr.contains("line 22"), "\(strict.stderr)")
        #expect(strict.stderr.contains("nothing was imported"), "\(strict.stderr)")
        #expect(try SQLiteStore(path: directory + "/t.sqlite").recordCount() == 0)

        let permissive = try Tributary.run(arguments)
        #expect(permissive.status == 0, "\(permissive.stderr)")
        #expect(permissive.stdout.contains("23 rows → 21 stored, 0 already there, 2 bad"), "\(permissive.stdout)")
        let store = try SQLiteStore(path: directory + "/t.sqlite")
        #expect(try store.recordCount() == 21)
        let reasons = try store.deadLetters(source: "tape").map(\.reason).sorted()
        #expect(reasons.count == 2)
        #expect(reasons.contains { $0.contains("line 22") && $0.contains("2262-04-11T23:47:16.854Z") }, "\(reasons)")
        #expect(reasons.contains { $0.contains("line 24") && $0.contains("trade_id") }, "\(reasons)")
        // The file finishes: a re-run says so instead of crashing at the same row.
        let again = try Tributary.run(arguments)
        #expect(again.status == 0 && again.stdout.contains("already imported"), "\(again.stdout)")
    }
}
