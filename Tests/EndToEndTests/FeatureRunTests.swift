import Foundation
import Testing
import Transport
import TributaryCore
import TributaryTesting

/// Features on the real binary: trades pushed to `tributary run` become 1-second bars in the
/// store (`GET /features/latest`), and `tributary features backfill` over the same store
/// computes byte-identical rows (all unchanged).
@Suite(.serialized, .timeLimit(.minutes(4))) struct FeatureRunTests {
    @Test func pushedTradesBecomeBarsThatABackfillReproduces() async throws {
        let directory = try temporaryDirectory("features-run")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let sources = directory + "/sources", features = directory + "/features"
        for folder in [sources, features] { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        try "id: open\npush: { max_body_bytes: 1048576 }\n".write(toFile: sources + "/open.yaml", atomically: true, encoding: .utf8)
        try """
        version: 1
        input: { kind: trade, sources: [open] }
        windows: [1s, 2s/1s]
        watermark: 1s
        features: [ohlcv, { returns: { lookback: 5 } }]
        """.write(toFile: features + "/bars.yaml", atomically: true, encoding: .utf8)
        let store = directory + "/t.sqlite"
        let run = try RunProcess(["--port", "0", "--store", store, "--features", features], environment: ["TRIBUTARY_SOURCES_DIR": sources])
        let base = try await run.baseURL()
        #expect(run.stdout.text.contains("features: bars v1 computed as records are stored"))

        // Second 0: prices 100…109 at 0, 100 … 900 ms; second 1: 200…204; then one trade 5 s later moves the watermark.
        let t0: Int64 = 1_700_000_000_000
        var lines: [String] = []
        for index in 0..<10 { lines.append(trade(id: index + 1, ms: t0 + Int64(index) * 100, price: "\(100 + index)", size: "0.5")) }
        for index in 0..<5 { lines.append(trade(id: index + 11, ms: t0 + 1_000 + Int64(index) * 200, price: "\(200 + index)", size: "2")) }
        // Out of order and repeated, inside the watermark: changes nothing.
        lines.swapAt(3, 12)
        lines.append(lines[0])
        lines.append(trade(id: 16, ms: t0 + 5_000, price: "300", size: "1"))
        let client = HTTPClient()
        let response = try await client.send(
            HTTPRequest(
                method: .post, url: base + "/ingest/open?ack=durable", headers: HTTPHeaders([("Content-Type", "application/x-ndjson")]),
                body: Array(lines.joined(separator: "\n").utf8)))
        #expect(response.status == 200, "\(response.bodyText)")

        // The feature sink runs right after the store's commit: wait (bounded) for the rows.
        var latest: JSONValue?
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            let page = try await get(base + "/features/latest?symbol=BTC-USD&set=bars")
            if let rows = (try? JSONParser.parse(page.body))?["rows"]?.arrayValue, rows.count == 2 {
                latest = try JSONParser.parse(page.body)
                break
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        let rows = try #require(latest?["rows"]?.arrayValue, "no feature rows; stderr: \(run.stderr.text)")
        // The watermark (5 s − 1 s) closed 1 s bars through second 3: the newest with trades is second 1.
        let oneSecond = try #require(rows.first { $0["window"]?.stringValue == "1s" })
        #expect(oneSecond["start"]?.stringValue == "2023-11-14T22:13:21.000Z")
        #expect(oneSecond["values"]?["open"]?.stringValue == "200" && oneSecond["values"]?["close"]?.stringValue == "204")
        #expect(oneSecond["values"]?["volume"]?.stringValue == "10" && oneSecond["values"]?["trades"]?.stringValue == "5")
        #expect(oneSecond["values"]?["vwap"]?.stringValue == "202")
        #expect(oneSecond["values"]?["return"]?.stringValue == "0.626772111615", "log(204 / 109) to 12 significant digits")
        #expect(oneSecond["entity_id"]?.stringValue == "open:BTC-USD")
        #expect(oneSecond["computed_by"]?.stringValue == "run" && oneSecond["revision"] == .number("1"))

        await client.shutdown()
        run.signal(SIGTERM)
        #expect(await run.wait() == 0)
        #expect(run.stdout.text.contains("features bars: "), "\(run.stdout.text)")

        // The same records, backfilled: every row is already stored with the same content.
        let backfill = try Tributary.run(["features", "backfill", "--set", "bars", "--store", store, "--features", features])
        #expect(backfill.status == 0, "\(backfill.stderr)")
        #expect(backfill.stdout.contains("16 records"), "\(backfill.stdout)")
        #expect(backfill.stdout.contains("→ 0 new rows, 0 revised, "), "\(backfill.stdout)")
        #expect(!backfill.stdout.contains(", 0 unchanged"), "\(backfill.stdout)")

        // The rows as CSV for a notebook: one line per 1 s bar, values (by name) as exact text, empty where null.
        let export = try Tributary.run(["features", "export", "--set", "bars", "--window", "1s", "--store", store, "--format", "csv"])
        #expect(export.status == 0, "\(export.stderr)")
        let csv = export.stdout.split(separator: "\n").map(String.init)
        #expect(
            csv.first
                == "entity_id,source,symbol,window,start,end,close,high,low,open,return,return_mean,return_stdev,trades,volume,vwap,zscore,events,corrections,revision,content_hash"
        )
        #expect(
            csv.count == 3
                && csv[1].hasPrefix(
                    "open:BTC-USD,open,BTC-USD,1s,2023-11-14T22:13:20.000Z,2023-11-14T22:13:21.000Z,109,109,100,100,,,,10,5,104.5,,10,0,1,sha256:")
        )
        #expect(export.stderr.contains("exported 2 rows of bars v1"))

        // A mistake in a set stops the command with its location.
        try "version: 1\ninput: { kind: trade }\nwindows: [1s]\nfeatures: [ohlvc]\n".write(toFile: features + "/bad.yaml", atomically: true, encoding: .utf8)
        let list = try Tributary.run(["features", "list", "--features", features])
        #expect(list.status != 0 && list.stderr.contains("bad.yaml:4:") && list.stderr.contains("did you mean 'ohlcv'"), "\(list.stderr)")
    }

    func trade(id: Int, ms: Int64, price: String, size: String) -> String {
        #"{"kind":"trade","symbol":"BTC-USD","trade_id":"\#(id)","time":\#(ms),"price":"\#(price)","size":"\#(size)","side":"buy"}"#
    }
}
