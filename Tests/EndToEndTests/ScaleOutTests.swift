import Foundation
import Pipeline
import StorePostgres
import StoreSQLite
import Synchronization
import Testing
import TributaryCore
import TributaryTesting

/// The scale-out shape end to end: three `run --bus` instances and two `tributary sink`s on a
/// three-node nats-server cluster (streams with three replicas), storing into PostgreSQL. One
/// run instance and one sink are killed with SIGKILL and one NATS node is stopped mid-run; what
/// the upstream answered is then checked against the store, Jepsen-style.
@Suite(
    .serialized, .timeLimit(.minutes(8)),
    .enabled(if: TestPostgres.url != nil && NATSServerProcess.executable != nil, "needs the PostgreSQL and nats-server make test provides"))
struct ScaleOutTests {
    static let symbols = ["BTCUSDT", "ETHUSDT", "SOLUSDT", "XRPUSDT", "ADAUSDT", "DOGEUSDT"]
    /// Bar series (klines, 1m) polled beside the tickers: the jobs whose hand-over may leave gaps.
    static let barSymbols = ["BTCUSDT", "ETHUSDT", "SOLUSDT"]
    /// Every poll job, as the upstream tells them apart (endpoint and symbol).
    static let jobs = symbols.map { "ticker:" + $0 } + barSymbols.map { "klines:" + $0 }

    /// Binance's 24-hour ticker for any symbol, each answer with content of its own (a per-symbol
    /// counter gives its close time and price), and 1m klines whose newest bar moves on every
    /// 250 ms of wall time (the last five each call), remembering who asked and what it answered:
    /// the ground truth the store is checked against. Each instance asks under its own path prefix.
    final class Upstream: Sendable {
        struct Answer {
            var instance: String
            /// `ticker:SYMBOL` or `klines:SYMBOL`.
            var job: String
            var symbol: String
            /// A ticker's close time (nil for klines).
            var closeTime: Int64?
            var at: ContinuousClock.Instant
        }
        /// The first bar's open time; bar i opens a minute after bar i - 1.
        static let firstBar: Int64 = 1_600_000_000_000
        final class Book: Sendable {
            let state = Mutex<(log: [Answer], counters: [String: Int64], bars: [String: ClosedRange<Int64>])>(([], [:], [:]))
            let started = ContinuousClock.now
        }
        private let book: Book
        let server: LoopbackServer

        init() throws {
            let book = Book()
            self.book = book
            server = try LoopbackServer { request in
                let instance = String(request.path.dropFirst().prefix { $0 != "/" })
                let symbol = request.query["symbol"] ?? "?"
                if request.path.hasSuffix("/klines") {
                    let newest = Int64((ContinuousClock.now - book.started) / .milliseconds(250))
                    let served = max(0, newest - 4)...newest
                    book.state.withLock { state in
                        state.log.append(Answer(instance: instance, job: "klines:" + symbol, symbol: symbol, closeTime: nil, at: .now))
                        let known = state.bars[symbol] ?? served
                        state.bars[symbol] = min(known.lowerBound, served.lowerBound)...max(known.upperBound, served.upperBound)
                    }
                    let rows = served.map { i in
                        let open = Self.firstBar + i * 60_000
                        return #"[\#(open),"\#(i).0","\#(i).9","\#(i).0","\#(i).5","1",\#(open + 59_999),"1",1,"1","1","0"]"#
                    }
                    return .json("[" + rows.joined(separator: ",") + "]")
                }
                let count = book.state.withLock { state -> Int64 in
                    let next = (state.counters[symbol] ?? 0) + 1
                    state.counters[symbol] = next
                    state.log.append(Answer(instance: instance, job: "ticker:" + symbol, symbol: symbol, closeTime: 1_700_000_000_000 + next * 1_000, at: .now))
                    return next
                }
                return .json(#"{"symbol":"\#(symbol)","lastPrice":"\#(count).5","closeTime":\#(1_700_000_000_000 + count * 1_000)}"#)
            }
        }

        var log: [Answer] { book.state.withLock { $0.log } }

        /// Per bar symbol, the first and last bar index ever served.
        var barsServed: [String: ClosedRange<Int64>] { book.state.withLock { $0.bars } }

        /// Per job, the instances that asked for it in the last `window`.
        func askers(within window: Duration) -> [String: Set<String>] {
            let since = ContinuousClock.now - window
            return Dictionary(grouping: log.filter { $0.at >= since }, by: \.job).mapValues { Set($0.map(\.instance)) }
        }
    }

    func instance(_ name: String, upstream: Upstream, bus: String, directory: String, replicas: Int = 3) throws -> RunProcess {
        let folder = directory + "/sources-" + name
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try """
        id: binance
        base_url: \(upstream.server.baseURL)/\(name)
        rate_limit: { capacity: 100000, refill_per_second: 100000 }
        poll:
        \(Self.symbols.map { "  - { endpoint: ticker, symbols: [\($0)], every: 400ms }" }.joined(separator: "\n"))
        \(Self.barSymbols.map { #"  - { endpoint: klines, symbols: [\#($0)], every: 400ms, params: { interval: 1m, limit: "5" } }"# }.joined(separator: "\n"))
        """.write(toFile: folder + "/binance.yaml", atomically: true, encoding: .utf8)
        return try RunProcess(
            ["--only", "binance", "--port", "0", "--store", directory + "/\(name).sqlite", "--bus", bus, "--sink", "jsonl:\(directory)/\(name)-acked.jsonl"],
            environment: [
                "TRIBUTARY_SOURCES_DIR": folder, "TRIBUTARY_BUS_INSTANCE": name, "TRIBUTARY_BUS_LEASE_TTL": "6s", "TRIBUTARY_BUS_REPLICAS": String(replicas),
            ])
    }

    func sink(bus: String, store: String) throws -> RunProcess {
        try RunProcess(["--bus", bus, "--store", store, "--consumer", "shared", "--port", "0"], command: "sink")
    }

    /// The quotes' identities (symbol and close time) in the run instances' acknowledged copies; a line
    /// cut short by a SIGKILL is not an acknowledged record.
    func acknowledged(_ names: [String], in directory: String) -> Set<String> {
        var keys = Set<String>()
        for name in names {
            let text = (try? String(contentsOfFile: "\(directory)/\(name)-acked.jsonl", encoding: .utf8)) ?? ""
            for line in text.split(separator: "\n") {
                guard let envelope = try? Envelope(jsonLine: String(line)), envelope.record.kind == .quote, let asOf = envelope.record.asOf else { continue }
                keys.insert("\(envelope.record.symbol)@\(asOf.millisecondsSinceEpoch)")
            }
        }
        return keys
    }

    @Test func threeRunsTwoSinksAndAThreeNodeClusterLoseAndDuplicateNothingThroughKillsAndANodeStop() async throws {
        let directory = try temporaryDirectory("scale-out")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let cluster = try await NATSClusterProcess.start()
        defer { cluster.remove() }
        let upstream = try Upstream()
        defer { upstream.server.stop() }
        let store = try await TestPostgres.freshDatabaseURL()

        let a = try instance("a", upstream: upstream, bus: cluster.url, directory: directory)
        defer { a.signal(SIGKILL) }
        let b = try instance("b", upstream: upstream, bus: cluster.url, directory: directory)
        defer { b.signal(SIGKILL) }
        let c = try instance("c", upstream: upstream, bus: cluster.url, directory: directory)
        defer { c.signal(SIGKILL) }
        let aBase = try await a.baseURL()
        _ = try await b.baseURL()
        _ = try await c.baseURL()
        let first = try sink(bus: cluster.url, store: store)
        defer { first.signal(SIGKILL) }
        let second = try sink(bus: cluster.url, store: store)
        defer { second.signal(SIGKILL) }
        let secondBase = try await second.baseURL()

        // Steady state: in a window of several poll periods every job was polled, each by exactly
        // one instance, three jobs each (the fair share of nine over three).
        try await eventually("each job is polled by exactly one instance, three per instance") {
            let owners = Self.jobs.compactMap { upstream.askers(within: .seconds(2))[$0] }
            return owners.count == Self.jobs.count && owners.allSatisfy { $0.count == 1 }
                && ["a", "b", "c"].allSatisfy { name in owners.filter { $0 == [name] }.count == 3 }
        }

        // b dies holding three jobs: after its leases lapse, a and c poll all nine.
        b.signal(SIGKILL)
        _ = await b.wait()
        try await eventually("a and c poll every job, b's included") {
            let askers = upstream.askers(within: .seconds(2))
            return Self.jobs.allSatisfy { askers[$0].map { $0.count == 1 && !$0.contains("b") } ?? false }
        }

        // A sink dies mid-stream (what it fetched and did not acknowledge is delivered again to the
        // other), and one of the three NATS nodes stops: the other two keep the quorum.
        first.signal(SIGKILL)
        _ = await first.wait()
        cluster.nodes[2].stop()
        let before = await metric(aBase, #"ingestion_stored_total{result="stored"}"#) ?? 0
        try await eventually("a keeps publishing with a node down") {
            (await metric(aBase, #"ingestion_stored_total{result="stored"}"#) ?? 0) >= before + 20
        }

        for run in [a, c] { run.signal(SIGTERM) }
        for (name, run) in [("a", a), ("c", c)] {
            // Exit 0; or 1 when the stream, one node short on a loaded machine, did not acknowledge
            // the last batch within the deadline and it was spilled to a file (never acknowledged,
            // so not lost — it is counted with the bars below).
            let status = await run.wait()
            let spilled = run.final("spilled ") ?? -1
            #expect(status == 0 && spilled == 0 || status == 1 && spilled > 0, "\(name): \(run.stdout.text) \(run.stderr.text)")
            #expect(run.final("lost ") == 0, "\(name): \(run.stdout.text)")
        }
        // The surviving sink drains the stream, the dead one's unacknowledged batch included.
        try await eventually("the shared consumer is drained", timeout: .seconds(240)) { await consumerDrained(secondBase) }
        second.signal(SIGTERM)
        #expect(await second.wait() == 0, "\(second.stderr.text)")

        let check = try await classify(upstream: upstream, acknowledgedBy: ["a", "b", "c"], in: directory, store: store)
        #expect(check.acknowledged > 50, "too little went through to judge: \(check)")
        #expect(check.lost.isEmpty && check.duplicated.isEmpty && check.unexpected.isEmpty, "\(check)")
        // Not acknowledged yet stored is only possible for the killed instance's last batch.
        #expect(check.recovered.allSatisfy { check.truth[$0] == "b" }, "recovered from a live instance: \(check)")

        // Bars: every bar the upstream served is stored, or inside a gap row one of the instances
        // wrote (`failover` for a job taken over from b) — never silently absent.
        let database = try await PostgresStore(try PostgresStoreConfiguration(url: store))
        defer { database.shutdown() }
        var gaps: [Gap] = []
        for name in ["a", "b", "c"] { gaps += try SQLiteStore(path: "\(directory)/\(name).sqlite").gaps(source: "binance", limit: 10_000) }
        // Bars spilled at a stop are in the instance's `.unsaved-*.jsonl`, to be imported again.
        var spilledBars = Set<String>()
        for file in try FileManager.default.contentsOfDirectory(atPath: directory) where file.contains(".unsaved-") {
            for line in try String(contentsOfFile: directory + "/" + file, encoding: .utf8).split(separator: "\n") {
                guard let envelope = try? Envelope(jsonLine: String(line)), case .bar(let bar) = envelope.record.payload else { continue }
                spilledBars.insert("\(envelope.record.symbol)@\(bar.start.millisecondsSinceEpoch)")
            }
        }
        var unaccounted: [String] = []
        var storedBars = 0
        for (symbol, served) in upstream.barsServed {
            let canonical = "\(symbol.dropLast(4))-USDT"
            var starts = Set<Int64>()
            var cursor: RecordQuery.Cursor?
            repeat {
                let page = try await database.records(RecordQuery(kind: .bar, symbol: canonical, source: "binance"), after: cursor, limit: 1_000)
                for envelope in page.envelopes { if let start = envelope.record.asOf { starts.insert(start.millisecondsSinceEpoch) } }
                cursor = page.next
            } while cursor != nil
            storedBars += starts.count
            for index in served {
                let open = Upstream.firstBar + index * 60_000
                if starts.contains(open) || spilledBars.contains("\(canonical)@\(open)") { continue }
                let covered = gaps.contains { gap in
                    gap.symbol == canonical && gap.from.millisecondsSinceEpoch <= open && open <= gap.to.millisecondsSinceEpoch
                }
                if !covered { unaccounted.append("\(canonical)#\(index)") }
            }
        }
        print(
            "scale-out bars: \(upstream.barsServed.values.map(\.count).reduce(0, +)) expected, \(storedBars) stored, \(spilledBars.count) spilled, gap rows \(gaps.count) (\(gaps.filter { $0.reason == "failover" }.count) failover), unaccounted \(unaccounted.count)"
        )
        #expect(storedBars > 0)
        if !unaccounted.isEmpty {
            // What the run needs to be diagnosed: every gap row, and what each store dead-lettered.
            var letters: [String] = []
            for name in ["a", "b", "c"] {
                for letter in try await SQLiteStore(path: "\(directory)/\(name).sqlite").deadLetters(limit: 20) { letters.append("\(name): \(letter.reason)") }
            }
            for letter in try await database.deadLetters(limit: 20, source: nil, pending: false) { letters.append("sink: \(letter.reason)") }
            print("scale-out gaps: \(gaps.map { "\($0.symbol) \($0.from.rfc3339)…\($0.to.rfc3339) \($0.reason)" })")
            print("scale-out dead letters: \(letters)")
            print("scale-out a: \(a.stderr.text.suffix(2_000))\nc: \(c.stderr.text.suffix(2_000))\nsink: \(second.stderr.text.suffix(2_000))")
        }
        #expect(unaccounted.isEmpty, "bars neither stored nor in a gap row: \(unaccounted.prefix(10))")
    }

    /// Jepsen-style: lost (acknowledged, not stored), duplicated (stored more than once: a
    /// revision of a record whose content never changed), unexpected (stored, never answered),
    /// recovered (stored though never acknowledged: a killed instance's last batch).
    struct Classification: CustomStringConvertible {
        var truth: [String: String]
        var acknowledged = 0
        var stored = 0
        var lost: [String] = []
        var duplicated: [String] = []
        var unexpected: [String] = []
        var recovered: [String] = []
        var description: String {
            "\(truth.count) answered, \(acknowledged) acknowledged, \(stored) stored; lost \(lost.count) \(lost.prefix(5)), duplicated \(duplicated.count) \(duplicated.prefix(5)), unexpected \(unexpected.count) \(unexpected.prefix(5)), recovered \(recovered.count)"
        }
    }

    func classify(upstream: Upstream, acknowledgedBy names: [String], in directory: String, store: String) async throws -> Classification {
        let truth = Dictionary(
            upstream.log.compactMap { answer in answer.closeTime.map { ("\(answer.symbol.dropLast(4))-USDT@\($0)", answer.instance) } },
            uniquingKeysWith: { first, _ in first })
        let acked = acknowledged(names, in: directory)
        let database = try await PostgresStore(try PostgresStoreConfiguration(url: store))
        defer { database.shutdown() }
        var stored: [String: Int] = [:]
        var cursor: RecordQuery.Cursor?
        repeat {
            let page = try await database.records(RecordQuery(kind: .quote, source: "binance"), after: cursor, limit: 1_000)
            for envelope in page.envelopes {
                let key = "\(envelope.record.symbol)@\(envelope.record.asOf?.millisecondsSinceEpoch ?? -1)"
                let revision =
                    try await database.storedRecord(source: "binance", kind: .quote, symbol: envelope.record.symbol, naturalKey: envelope.record.naturalKey)?
                    .revision ?? 0
                stored[key] = revision
            }
            cursor = page.next
        } while cursor != nil
        var result = Classification(truth: truth, acknowledged: acked.count, stored: stored.count)
        result.lost = acked.subtracting(stored.keys).sorted()
        result.unexpected = Set(stored.keys).subtracting(truth.keys).sorted()
        result.duplicated = stored.filter { $0.value > 1 }.keys.sorted()
        result.recovered = Set(stored.keys).subtracting(acked).sorted()
        print("scale-out: \(result)")
        return result
    }

    /// PostgreSQL away for ten seconds under a running sink: it holds the batch in hand, `/ready`
    /// says the store is unavailable, the stream's lag grows while the run keeps publishing, and
    /// after the server returns the lag drains; nothing acknowledged is lost.
    @Test func postgresAwayForTenSecondsHoldsTheSinkAndLosesNothing() async throws {
        let directory = try temporaryDirectory("scale-out-pg")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let nats = try NATSServerProcess()
        defer { nats.remove() }
        let database = try TestPostgres.Cluster()
        defer { database.remove() }
        let upstream = try Upstream()
        defer { upstream.server.stop() }
        let a = try instance("a", upstream: upstream, bus: nats.url, directory: directory, replicas: 1)
        defer { a.signal(SIGKILL) }
        _ = try await a.baseURL()
        let sinking = try sink(bus: nats.url, store: database.url)
        defer { sinking.signal(SIGKILL) }
        let base = try await sinking.baseURL()
        try await eventually("the sink stores") { (await metric(base, #"ingestion_stored_total{result="stored"}"#) ?? 0) >= 12 }

        try database.halt()
        do {
            try await eventually("the sink is not ready and says why") {
                let ready = try? await get(base + "/ready")
                return ready?.status == 503 && ready?.bodyText.contains("store unavailable") == true
            }
        } catch {
            // What the sink did meanwhile, for the next look at a run that never said so.
            let ready = try? await get(base + "/ready")
            print("scale-out-pg: /ready \(ready.map { "\($0.status) \($0.bodyText.prefix(300))" } ?? "no answer"); sink: \(sinking.stderr.text.suffix(3_000))")
            throw error
        }
        let lagBefore = await metric(base, "ingestion_bus_lag_messages") ?? 0
        try await Task.sleep(for: .seconds(10))
        try await eventually("the lag grows while the store is away") { (await metric(base, "ingestion_bus_lag_messages") ?? 0) > lagBefore }
        try database.resume()
        try await eventually("the sink is ready again") { (try? await get(base + "/ready"))?.status == 200 }

        a.signal(SIGTERM)
        #expect(await a.wait() == 0, "\(a.stderr.text)")
        try await eventually("the lag drains", timeout: .seconds(240)) { await consumerDrained(base) }
        sinking.signal(SIGTERM)
        #expect(await sinking.wait() == 0, "\(sinking.stderr.text)")
        #expect(sinking.stderr.text.contains("store unavailable"))
        let check = try await classify(upstream: upstream, acknowledgedBy: ["a"], in: directory, store: database.url)
        #expect(check.acknowledged > 12 && check.lost.isEmpty && check.duplicated.isEmpty && check.unexpected.isEmpty && check.recovered.isEmpty, "\(check)")

    }
}
