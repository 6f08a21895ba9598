import Engine
import Foundation
import Pipeline
import StoreSQLite
import Testing
import Transport
import TributaryCore
import TributaryTesting

/// `tributary run` as a real process against the mock market: the HTTP surface, shutdown under
/// load, restarts over the same store, a store that fills up, and bad settings.
@Suite(.serialized, .timeLimit(.minutes(3))) struct AggregatorTests {
    @Test func metricsReadyAndLatestViewWhileRunning() async throws {
        let directory = try temporaryDirectory("surface")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let run = try RunProcess(["--demo", "--port", "0", "--store", directory + "/t.sqlite", "--summary-every", "1"])
        let base = try await run.baseURL()
        // Until Binance's first quote is stored (bounded as a hang guard: a loaded machine is slow).
        let deadline = ContinuousClock.now + .seconds(120)
        while ContinuousClock.now < deadline {
            if let latest = try? await get(base + "/records/latest?symbol=BTC-USDT&kind=quote"),
                let view = try? JSONParser.parse(latest.body), view["sources"]?.arrayValue?.contains(where: { $0["source"] == .string("binance") }) == true
            {
                break
            }
            try await Task.sleep(for: .milliseconds(200))
        }

        let ready = try await get(base + "/ready")
        #expect(ready.status == 200, "\(ready.bodyText)")
        let metrics = try await get(base + "/metrics")
        #expect(metrics.status == 200)
        #expect(metrics.headers["content-type"]?.hasPrefix("text/plain; version=0.0.4") == true)
        let families = try PrometheusText.families(metrics.bodyText)
        for family in [
            "ingestion_requests_total", "ingestion_request_duration_seconds", "ingestion_breaker_state", "ingestion_retries_total",
            "ingestion_throttles_total", "ingestion_queue_depth", "ingestion_records_total", "ingestion_dropped_total",
            "ingestion_store_batch_duration_seconds", "ingestion_dead_letters", "ingestion_dead_letters_pending", "ingestion_source_stale",
        ] {
            #expect(families[family] != nil, "missing \(family)")
        }
        #expect(families["ingestion_request_duration_seconds"] == "histogram")
        #expect(families["ingestion_requests_total"] == "counter")
        #expect(metrics.bodyText.contains(#"ingestion_requests_total{source="binance",outcome="success"}"#))
        #expect(metrics.bodyText.contains(#"ingestion_records_total{source="binance",kind="quote"}"#))

        let latest = try await get(base + "/records/latest?symbol=BTC-USDT&kind=quote")
        #expect(latest.status == 200)
        let view = try JSONParser.parse(latest.body)
        let median = try #require(view["consolidated"]?["median"]?.decimalValue)
        #expect(median > ExactDecimal(0))
        #expect(view["sources"]?.arrayValue?.contains { $0["source"] == .string("binance") && $0["stale"] == .bool(false) } == true)
        let missing = try await get(base + "/records/latest")
        #expect(missing.status == 400 && missing.bodyText.contains("symbol"))

        let sources = try JSONParser.parse(try await get(base + "/sources").body)
        let binance = try #require(sources.arrayValue?.first { $0["source"] == .string("binance") })
        #expect(binance["last_success_at"]?.stringValue != nil)
        #expect(binance["next_poll_at"]?.stringValue != nil)
        #expect(binance["stale"] == .bool(false))

        run.signal(SIGTERM)
        #expect(await run.wait() == 0, "\(run.stderr.text)")
    }

    /// `/metrics` as Prometheus' own tool reads it, every source's series from the first scrape,
    /// and a source that never succeeds (every call a 404) shown as failing everywhere.
    @Test func metricsPassPromtoolAndANeverSucceedingSourceIsFailing() async throws {
        let directory = try temporaryDirectory("promtool")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let mock = try MockProcess()
        defer { mock.stop() }
        let sources = try sourcesDirectory(mock: mock.url, poll: ["{ endpoint: ticker, symbols: [BTCUSDT], every: 300ms }"], in: directory)
        try "p95_target: 250ms\n".appendLine(toFile: sources + "/binance.yaml")
        try """
        id: coinbase
        base_url: \(mock.url)/nothing-here
        retry: { max_attempts: 1 }
        poll:
          - { endpoint: ticker, symbols: [BTC-USD], every: 300ms }
        """.write(toFile: sources + "/coinbase.yaml", atomically: true, encoding: .utf8)
        let run = try RunProcess(
            ["--only", "binance", "--only", "coinbase", "--port", "0", "--store", directory + "/t.sqlite", "--summary-every", "1"],
            environment: ["TRIBUTARY_SOURCES_DIR": sources])
        let base = try await run.baseURL()
        let first = try await get(base + "/metrics").bodyText
        for source in ["binance", "coinbase"] {
            #expect(first.contains(#"ingestion_breaker_state{source="\#(source)"}"#), "\(first)")
            #expect(first.contains(#"ingestion_source_failing{source="\#(source)"}"#), "\(first)")
            #expect(first.contains(#"ingestion_source_stale{source="\#(source)"}"#), "\(first)")
        }
        // Until coinbase has failed once and binance delivered (bounded; not a speed expectation).
        var text = first
        for _ in 0..<120 {
            text = try await get(base + "/metrics").bodyText
            if text.contains(#"ingestion_source_failing{source="coinbase"} 1"#), text.contains(#"ingestion_source_failing{source="binance"} 0"#),
                text.contains(#"ingestion_records_total{source="binance""#)
            {
                break
            }
            try await Task.sleep(for: .milliseconds(250))
        }
        let lint = try Promtool.run(["check", "metrics"], input: text)
        #expect(lint.status == 0 && lint.output.isEmpty, "promtool check metrics:\n\(lint.output)")
        #expect(text.contains(#"ingestion_source_failing{source="coinbase"} 1"#), "\(text)")
        #expect(text.contains(#"ingestion_source_failing{source="binance"} 0"#), "\(text)")
        #expect(text.contains(#"ingestion_requests_errors_total{source="coinbase",reason="not_found"}"#), "\(text)")
        #expect(text.contains(#"ingestion_source_p95_target_seconds{source="binance"} 0.25"#), "\(text)")
        #expect(text.contains(#"ingestion_source_p95_target_seconds{source="coinbase"} 2"#), "\(text)")
        #expect(text.contains("# HELP ingestion_breaker_state Circuit breaker state per source: 0 closed, 1 half-open, 2 open, 3 paused"))
        #expect(text.contains("ingestion_store_up 1"))

        let list = try JSONParser.parse(try await get(base + "/sources").body).arrayValue ?? []
        let coinbase = try #require(list.first { $0["source"] == .string("coinbase") })
        #expect(coinbase["condition"] == .string("failing") && coinbase["failing"] == .bool(true), "\(coinbase)")
        #expect(coinbase["p95_target_ms"] == .number("2000"))
        #expect(list.first { $0["source"] == .string("binance") }?["p95_target_ms"] == .number("250"))
        // The summary line names it too.
        for _ in 0..<40 where !run.stdout.text.contains("coinbase:failing") { try await Task.sleep(for: .milliseconds(250)) }
        #expect(run.stdout.text.contains("coinbase:failing"), "\(run.stdout.text)")
        run.signal(SIGTERM)
        #expect(await run.wait() == 0, "\(run.stderr.text)")
    }

    @Test func aThrottledSourceBacksOffWhileTheOthersContinue() async throws {
        let directory = try temporaryDirectory("throttle")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let mock = try MockProcess(arguments: ["--fault", "coinbase:429:retry-after=2"])
        defer { mock.stop() }
        let sources = try sourcesDirectory(mock: mock.url, poll: ["{ endpoint: ticker, symbols: [BTCUSDT], every: 300ms }"], in: directory)
        try """
        id: coinbase
        base_url: \(mock.url)/coinbase
        retry: { max_attempts: 3, base_ms: 100, cap_ms: 1000, jitter: full }
        poll:
          - { endpoint: ticker, symbols: [BTC-USD], every: 300ms }
        """.write(toFile: sources + "/coinbase.yaml", atomically: true, encoding: .utf8)
        let started = ContinuousClock.now
        let run = try RunProcess(
            ["--only", "binance", "--only", "coinbase", "--port", "0", "--store", directory + "/t.sqlite"],
            environment: ["TRIBUTARY_SOURCES_DIR": sources])
        let base = try await run.baseURL()
        try await Task.sleep(for: .seconds(5))
        let list = try JSONParser.parse(try await get(base + "/sources").body).arrayValue ?? []
        let coinbase = try #require(list.first { $0["source"] == .string("coinbase") })
        let binance = try #require(list.first { $0["source"] == .string("binance") })
        // Every coinbase call is answered 429 + Retry-After: 2, so over ~5 s it may be asked
        // about three times (not the ~17 its 300 ms schedule would make) …
        let faults = try JSONParser.parse(try await get(mock.url + "/control/faults").body)
        let fired = try #require(faults["fired"]?.objectValue?.members.first?.value.int64Value)
        // Bounded by the time that really passed (a slow machine stretches the window): at most one
        // call per Retry-After of 2 s, plus one at each end, far below the schedule's one per 300 ms.
        let elapsed = started.duration(to: .now).components.seconds
        #expect(fired >= 1 && fired <= elapsed / 2 + 2, "coinbase was asked \(fired) times in \(elapsed) s")
        #expect(coinbase["throttles"]?.decimalValue ?? ExactDecimal(0) >= ExactDecimal(1))
        #expect(coinbase["records"] == .number("0"))
        // … while binance kept its pace and its records.
        #expect(try #require(binance["polls"]?.decimalValue) >= ExactDecimal(10))
        #expect(try #require(binance["records"]?.decimalValue) >= ExactDecimal(10))
        #expect(binance["state"] == .string("closed"))
        run.signal(SIGTERM)
        #expect(await run.wait() == 0)
    }

    @Test func readyFlipsWhileDrainingAndTheDeadlineHolds() async throws {
        let directory = try temporaryDirectory("drain")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let mock = try MockProcess(arguments: ["--fault", "binance:hang:seconds=60"])
        defer { mock.kill() }
        let sources = try sourcesDirectory(mock: mock.url, poll: ["{ endpoint: ticker, symbols: [BTCUSDT], every: 1s }"], in: directory)
        // The drain lasts the whole deadline (the upstream hangs 60 s): a window of 10 s to see it
        // in, wide enough for a loaded machine (3 s was not: CI once asked 20 times without an answer).
        let run = try RunProcess(
            ["--only", "binance", "--port", "0", "--store", directory + "/t.sqlite", "--shutdown-deadline", "10s"],
            environment: ["TRIBUTARY_SOURCES_DIR": sources])
        let base = try await run.baseURL()
        try await Task.sleep(for: .seconds(2))  // a poll is now hanging upstream
        #expect(try await get(base + "/ready").status == 200)
        let signalled = ContinuousClock.now
        run.signal(SIGTERM)
        var sawDraining = false
        var healthWhileDraining: Int?
        // Asked until seen, for as long as the window lasts (the process exits at its end).
        while !sawDraining, ContinuousClock.now - signalled < .seconds(10) {
            try await Task.sleep(for: .milliseconds(100))
            if let ready = try? await get(base + "/ready"), ready.status == 503, ready.bodyText.contains("draining") {
                sawDraining = true
                healthWhileDraining = try? await get(base + "/health").status
            }
        }
        #expect(sawDraining, "\(run.stderr.text)")
        #expect(healthWhileDraining == 200, "alive while draining")
        let status = await run.wait()
        let took = ContinuousClock.now - signalled
        #expect(status == 0, "\(run.stdout.text) \(run.stderr.text)")
        // The hanging fetch is cancelled at the 10 s deadline, not waited for: the upstream hangs
        // 60 s, so anything well under that shows the cancellation without timing the machine.
        #expect(took < .seconds(50), "shutdown took \(took)")
        #expect(run.stderr.text.contains("shutting down"))
    }

    /// The 30-minute soak's exit 1: with `--summary-every 60` the summary's wait held the whole
    /// graceful stop until the deadline cancelled it. An idle wait must end with the stop.
    @Test func aGracefulStopDoesNotWaitForTheSummaryInterval() async throws {
        let directory = try temporaryDirectory("idle-stop")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let mock = try MockProcess()
        defer { mock.stop() }
        let sources = try sourcesDirectory(mock: mock.url, poll: ["{ endpoint: ticker, symbols: [BTCUSDT], every: 1s }"], in: directory)
        let run = try RunProcess(
            ["--only", "binance", "--port", "0", "--store", directory + "/t.sqlite", "--summary-every", "3600", "--shutdown-deadline", "120s"],
            environment: ["TRIBUTARY_SOURCES_DIR": sources])
        let base = try await run.baseURL()
        #expect(try await get(base + "/ready").status == 200)
        run.signal(SIGTERM)
        #expect(await run.wait() == 0, "\(run.stderr.text)")
        // Cancelled at the deadline, the HTTP servers would log that they were still waiting.
        #expect(!run.stderr.text.contains("Waiting on child channel"), "\(run.stderr.text)")
        #expect(!run.stderr.text.contains("overran"), "\(run.stderr.text)")
        #expect(run.final("lost ") == 0)
    }

    @Test func sigtermUnderLoadLosesNothing() async throws {
        let directory = try temporaryDirectory("load")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let mock = try MockProcess()
        defer { mock.stop() }
        let polls =
            ["BTCUSDT", "ETHUSDT", "BNBUSDT", "SOLUSDT"].map {
                "{ endpoint: klines, symbols: [\($0)], every: 100ms, params: { interval: 1m, limit: 1000 } }"
            } + ["{ endpoint: ticker, symbols: [BTCUSDT, ETHUSDT], every: 100ms }"]
        let sources = try sourcesDirectory(mock: mock.url, poll: polls, in: directory)
        let store = directory + "/t.sqlite"
        let run = try RunProcess(
            ["--only", "binance", "--port", "0", "--store", store, "--sink", "jsonl:" + directory + "/out.jsonl"],
            environment: ["TRIBUTARY_SOURCES_DIR": sources, "TRIBUTARY_BUFFER_CAPACITY": "2000"])
        let base = try await run.baseURL()
        // Under load means more than 10,000 records polled: wait for that (on any machine's
        // speed; the bound only stops a run that never gets there), then signal.
        let deadline = ContinuousClock.now + .seconds(180)
        var polled = 0
        while polled <= 10_000, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(250))
            let status = try? await get(base + "/status")
            if let body = status?.body, case .number(let text)? = (try? JSONParser.parse(body))?["totals"]?["records"] { polled = Int(text) ?? 0 }
        }
        run.signal(SIGTERM)
        let status = await run.wait()
        #expect(status == 0, "\(run.stderr.text)")
        let pushed = try #require(run.final("records pushed "))
        let stored = try #require(run.final("stored "))
        let duplicates = try #require(run.final("duplicates "))
        let dead = try #require(run.final("dead-lettered "))
        #expect(pushed > 10_000, "not under load: \(pushed) records")
        #expect(stored + duplicates + dead == pushed, "\(run.stdout.text)")
        #expect(run.final("spilled ") == 0 && run.final("lost ") == 0)

        // Every record the sink saw is in the store under its identity.
        let lines = try String(contentsOfFile: directory + "/out.jsonl", encoding: .utf8).split(separator: "\n")
        #expect(lines.count == stored + duplicates)
        let sqlite = try SQLiteStore(path: store)
        var missing = 0
        for line in lines.shuffled().prefix(2_000) {
            let record = try JSONParser.parse(Array(line.utf8))
            let symbol = try #require(record["symbol"]?.stringValue)
            let kind = try #require(record["kind"]?.stringValue.flatMap(Record.Kind.init(rawValue:)))
            let key = kind == .bar ? "\(record["interval"]?.stringValue ?? "")@\(record["start"]?.stringValue ?? "")" : record["as_of"]?.stringValue ?? ""
            if try sqlite.storedLine(source: "binance", kind: kind, symbol: symbol, naturalKey: key) == nil { missing += 1 }
        }
        #expect(missing == 0)
    }

    @Test func restartingOverTheSameStoreAddsNoDuplicates() async throws {
        let directory = try temporaryDirectory("restart")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let mock = try MockProcess()
        defer { mock.stop() }
        // Fixed history (endTime in the past): the upstream returns the same bars every time.
        let sources = try sourcesDirectory(
            mock: mock.url,
            poll: [
                "{ endpoint: klines, symbols: [BTCUSDT], every: 200ms, params: { interval: 1h, limit: 100, end: '1700000000000' } }"
            ], in: directory)
        let store = directory + "/t.sqlite"
        var rowsAfter: [Int] = []
        var storedPerRun: [Int] = []
        for _ in 0..<2 {
            let run = try RunProcess(["--only", "binance", "--port", "0", "--store", store, "--for", "2"], environment: ["TRIBUTARY_SOURCES_DIR": sources])
            #expect(await run.wait() == 0, "\(run.stderr.text)")
            storedPerRun.append(try #require(run.final("stored ")))
            rowsAfter.append(try SQLiteStore(path: store).recordCount())
            #expect(try #require(run.final("duplicates ")) > 0)
        }
        #expect(storedPerRun == [100, 0])
        #expect(rowsAfter == [100, 100])
    }

    @Test func aFullStoreIsNotReadyLogsClearlyAndSpillsAtShutdown() async throws {
        let directory = try temporaryDirectory("full")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = directory + "/t.sqlite"
        let run = try RunProcess(
            ["--demo", "--port", "0", "--store", store, "--summary-every", "1"],
            environment: ["TRIBUTARY_STORE_MAX_BYTES": "262144"])
        let base = try await run.baseURL()
        var notReady: HTTPResponse?
        for _ in 0..<60 where notReady == nil {
            try await Task.sleep(for: .milliseconds(500))
            if let ready = try? await get(base + "/ready"), ready.status == 503 { notReady = ready }
        }
        let response = try #require(notReady, "the store never filled: \(run.stderr.text)")
        #expect(response.bodyText.contains("store unavailable"))
        #expect(response.bodyText.contains("full"))
        #expect(try await get(base + "/health").status == 200)
        #expect(run.stderr.text.contains("store unavailable"))
        run.signal(SIGTERM)
        let status = await run.wait()
        // Not a crash: an orderly exit that says records went to the spill file.
        #expect(status == 1, "\(run.stdout.text) \(run.stderr.text)")
        let pushed = try #require(run.final("records pushed "))
        let spilled = try #require(run.final("spilled "))
        #expect(spilled > 0)
        #expect(try #require(run.final("stored ")) + run.final("duplicates ")! + run.final("dead-lettered ")! + spilled == pushed)
        let spill = try #require(try FileManager.default.contentsOfDirectory(atPath: directory).first { $0.contains(".unsaved-") })
        let lines = try String(contentsOfFile: directory + "/" + spill, encoding: .utf8).split(separator: "\n").count
        #expect(lines == spilled)
    }

    @Test func undecodableResponsesAreDeadLetteredAndTheDLQCommandsReadThem() async throws {
        let directory = try temporaryDirectory("dlq")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let mock = try MockProcess(arguments: ["--fault", "binance:malformed:count=2"])
        defer { mock.stop() }
        let sources = try sourcesDirectory(mock: mock.url, poll: ["{ endpoint: ticker, symbols: [BTCUSDT], every: 300ms }"], in: directory)
        let store = directory + "/t.sqlite"
        let run = try RunProcess(["--only", "binance", "--port", "0", "--store", store, "--for", "2"], environment: ["TRIBUTARY_SOURCES_DIR": sources])
        #expect(await run.wait() == 0, "\(run.stderr.text)")

        let list = try Tributary.run(["dlq", "list", "--store", store])
        #expect(list.status == 0, "\(list.stderr)")
        let rows = list.stdout.split(separator: "\n").filter { $0.contains("binance") && $0.contains("response") }
        #expect(rows.count == 2, "\(list.stdout)")
        let id = try #require(rows.first.flatMap { Int($0.prefix { $0 != " " }) })
        let show = try Tributary.run(["dlq", "show", String(id), "--store", store])
        #expect(show.stdout.contains("holds:      response"))
        #expect(show.stdout.contains("call:       ticker symbols=BTCUSDT"))
        #expect(show.stdout.contains("body ("))
        // The bodies are still malformed: the replay says so, keeps them pending, exits 1.
        let replay = try Tributary.run(["dlq", "replay", "--all", "--store", store])
        #expect(replay.status == 1)
        #expect(replay.stdout.contains("still failing"))
        #expect(try Tributary.run(["dlq", "list", "--pending", "--store", store]).stdout.contains("2 shown"))
        let missing = try Tributary.run(["dlq", "show", "999", "--store", store])
        #expect(missing.status != 0 && missing.stderr.contains("no dead letter 999"))
    }

    @Test func invalidSettingsStopBeforeAnythingRuns() throws {
        let directory = try temporaryDirectory("settings")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "buffer:\n  capacity: 3\nshutdown:\n  deadline: forever\n".write(toFile: directory + "/tributary.yaml", atomically: true, encoding: .utf8)
        let result = try Tributary.run(["run", "--config", directory + "/tributary.yaml", "--store", directory + "/t.sqlite", "--port", "0"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("buffer.capacity"))
        #expect(result.stderr.contains("allowed: 16…10000000"))
        #expect(result.stderr.contains("shutdown.deadline"))
        #expect(!FileManager.default.fileExists(atPath: directory + "/t.sqlite"))
    }
}

/// Reads Prometheus text exposition: each sample line must parse, and each family's TYPE is returned.
enum PrometheusText {
    struct Invalid: Error, CustomStringConvertible { let description: String }

    static func families(_ text: String) throws -> [String: String] {
        var types: [String: String] = [:]
        for line in text.split(separator: "\n") {
            if line.hasPrefix("# TYPE ") {
                let parts = line.split(separator: " ")
                guard parts.count == 4 else { throw Invalid(description: "bad TYPE line: \(line)") }
                types[String(parts[2])] = String(parts[3])
                continue
            }
            if line.hasPrefix("#") { continue }
            // name{labels} value  |  name value
            guard let space = line.lastIndex(of: " "), Double(line[line.index(after: space)...]) != nil || line.hasSuffix("+Inf") else {
                throw Invalid(description: "bad sample line: \(line)")
            }
            let series = line[..<space]
            let name = series.prefix { $0 != "{" }
            guard name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == ":" }), !name.isEmpty else {
                throw Invalid(description: "bad metric name: \(line)")
            }
            if series.contains("{") { guard series.hasSuffix("}") else { throw Invalid(description: "bad labels: \(line)") } }
            let family = ["_bucket", "_sum", "_count"].reduce(String(name)) { name, suffix in
                name.hasSuffix(suffix) && types[String(name.dropLast(suffix.count))] == "histogram" ? String(name.dropLast(suffix.count)) : name
            }
            guard types[family] != nil else { throw Invalid(description: "sample without a TYPE line: \(line)") }
        }
        return types
    }
}

extension String {
    /// Appends this text as a line at the end of the file at `path`.
    func appendLine(toFile path: String) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(("\n" + self).utf8))
    }
}
