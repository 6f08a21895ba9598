import Foundation
import Pipeline
import StoreSQLite
import Testing
import Transport
import TributaryCore
import TributaryTesting

/// OpenTelemetry: `tributary run` with the standard `OTEL_*` variables exports its spans over
/// OTLP to a local receiver, and the request id a span carries is the one in the log line and
/// in the stored records' provenance.
@Suite(.serialized, .timeLimit(.minutes(3))) struct TracesTests {
    @Test func pollsFetchesPushesAndStoreBatchesAreExportedWithTheRequestIDOfLogsAndProvenance() async throws {
        let directory = try temporaryDirectory("traces")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let receiver = try OTLPReceiver()
        defer { receiver.stop() }
        // The first ticker answer is a 5xx: the poll retries, so it has two fetch spans and a wait.
        let mock = try MockProcess(arguments: ["--fault", "binance:5xx:count=1"])
        defer { mock.stop() }
        let sources = directory + "/sources"
        try FileManager.default.createDirectory(atPath: sources, withIntermediateDirectories: true)
        try """
        id: binance
        base_url: \(mock.url)/binance
        auth: { kind: hmac-sha256, key_env: BINANCE_API_KEY, secret_env: BINANCE_API_SECRET }
        retry: { max_attempts: 3, base_ms: 50, cap_ms: 200 }
        poll:
          - { endpoint: ticker, symbols: [BTCUSDT], every: 1s }
        """.write(toFile: sources + "/binance.yaml", atomically: true, encoding: .utf8)
        try "id: open\npush: {}\n".write(toFile: sources + "/open.yaml", atomically: true, encoding: .utf8)
        let store = directory + "/t.sqlite"
        let run = try RunProcess(
            ["--port", "0", "--store", store, "--log-level", "info"],
            environment: [
                "TRIBUTARY_SOURCES_DIR": sources, "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint, "OTEL_EXPORTER_OTLP_PROTOCOL": "http/json",
                "OTEL_SERVICE_NAME": "tributary-traces-test", "OTEL_BSP_SCHEDULE_DELAY": "200",
            ])
        let base = try await run.baseURL()
        let client = HTTPClient()
        let pushed = try await client.send(
            HTTPRequest(
                method: .post, url: base + "/ingest/open", headers: HTTPHeaders([("Content-Type", "application/json")]),
                body: Array(#"{"kind":"trade","symbol":"BTC-USD","trade_id":"t1","time":1700000000123,"price":"95000.1","size":"0.5"}"#.utf8)))
        await client.shutdown()
        #expect(pushed.status == 202, "\(String(decoding: pushed.body, as: UTF8.self))")
        let pushID = try #require(
            (try JSONSerialization.jsonObject(with: Data(pushed.body)) as? [String: Any])?["request_id"] as? String)
        // Stopped once a ticker was stored (its poll retried past the 5xx), however slow the machine.
        let deadline = ContinuousClock.now + .seconds(90)
        while ContinuousClock.now < deadline {
            if let latest = try? await get(base + "/records/latest?symbol=BTC-USDT&kind=quote"), latest.status == 200,
                String(decoding: latest.body, as: UTF8.self).contains("binance")
            {
                break
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        run.signal(SIGTERM)
        #expect(await run.wait() == 0, "\(run.stderr.text)")
        // Spans of the drain are flushed before the process exits: everything is here now.
        #expect(receiver.rejected.isEmpty, "\(receiver.rejected)")
        let spans = receiver.spans
        #expect(spans.allSatisfy { $0.serviceName == "tributary-traces-test" })

        // The push: one server span with the seed's fields and the id the response gave.
        let push = try #require(spans.first { $0.name == "POST /ingest/{source}" }, "\(spans.map(\.name))")
        #expect(push.kind == "SPAN_KIND_SERVER")
        #expect(push.attributes["request_id"] == pushID)
        #expect(push.attributes["source_ip"] == "127.0.0.1")
        #expect(push.attributes["payload_size"].flatMap { Int($0) } ?? 0 > 90)
        for field in ["decode_time_us", "enqueue_time_us", "process_time_us"] { #expect(push.attributes[field] != nil, "\(field)") }
        #expect(run.stderr.text.contains("request_id=\(pushID)"), "the push's log line carries the same id")

        // The first poll: a failed attempt, a retry wait, a successful attempt, all its children.
        let polls = spans.filter { $0.name == "poll binance.ticker" }
        let retried = try #require(polls.first { $0.attributes["tributary.attempts"] == "2" }, "\(polls.map(\.attributes))")
        #expect(retried.attributes["tributary.outcome"] == "success")
        #expect(retried.events == ["retry wait"])
        let attempts = spans.filter { $0.parentSpanID == retried.spanID && $0.traceID == retried.traceID }
        #expect(attempts.map(\.name) == ["fetch binance.ticker", "fetch binance.ticker"])
        #expect(attempts.allSatisfy { $0.kind == "SPAN_KIND_CLIENT" })
        let failed = try #require(attempts.first { $0.attributes["http.response.status_code"]?.hasPrefix("5") == true }, "\(attempts.map(\.attributes))")
        let succeeded = try #require(attempts.first { $0.attributes["http.response.status_code"] == "200" })
        #expect(failed.attributes["error.type"] != nil)
        #expect(retried.attributes["request_id"] == succeeded.attributes["request_id"])
        // The failed attempt's id is the one in its "fetch failed" log line…
        let failedID = try #require(failed.attributes["request_id"])
        #expect(run.stderr.text.split(separator: "\n").contains { $0.contains("fetch failed") && $0.contains("request_id=\(failedID)") })

        // …and the successful one's is the provenance of the records it stored; the pushed
        // record's provenance carries the push's id.
        #expect(spans.contains { $0.name == "store batch" && Int($0.attributes["tributary.stored"] ?? "") ?? 0 > 0 })
        let sqlite = try SQLiteStore(path: store)
        let tickers = try sqlite.records(RecordQuery(kind: .quote, source: "binance"), after: nil, limit: 1000).envelopes
        let trades = try sqlite.records(RecordQuery(kind: .trade, source: "open"), after: nil, limit: 1000).envelopes
        let fetchID = try #require(succeeded.attributes["request_id"])
        #expect(tickers.contains { $0.provenance.requestID == fetchID }, "\(tickers.map(\.provenance.requestID))")
        #expect(trades.map(\.provenance.requestID) == [pushID])
    }

    @Test func withoutTheVariablesNothingIsExported() async throws {
        let directory = try temporaryDirectory("traces-off")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let receiver = try OTLPReceiver()
        defer { receiver.stop() }
        let run = try RunProcess(
            ["--demo", "--port", "0", "--store", directory + "/t.sqlite", "--for", "2"],
            environment: ["OTEL_EXPORTER_OTLP_ENDPOINT": "", "OTEL_SDK_DISABLED": "true", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": receiver.endpoint])
        #expect(await run.wait() == 0, "\(run.stderr.text)")
        #expect(receiver.spans.isEmpty)
        #expect(!run.stderr.text.contains("exporting traces"))
    }
}
