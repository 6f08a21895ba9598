import Connectors
import CoreMetrics
import Logging
import Pipeline
import Synchronization
import TributaryCore

/// Everything a running aggregator shares: one transport, one buffer, the latency recorder and,
/// per source, a resilient worker behind its own guard.
public final class IngestionEngine: Sendable {
    public typealias Fetch = @Sendable (EndpointCall, Double) async throws -> [Envelope]

    public let buffer: NormalizationBuffer<Envelope>
    /// Where polls run: the transport's caller executor (see `HTTPTransport.callerExecutor`).
    public let pollExecutor: (any TaskExecutor)?
    public let latency: LatencyRecorder
    public let guards: [SourceID: SourceGuard<ContinuousClock>]
    public let definitions: [SourceID: SourceDefinition]
    private let fetchers: [SourceID: Fetch]
    private let counters = Mutex<(polls: Int, failures: Int, records: Int)>((0, 0, 0))
    /// Per source: polls, records, last success and error, newest `as_of`, next poll.
    public let activity = SourceActivity()
    /// Per poll job, the bars seen and the outage in progress, to find gaps.
    private let trackers = Mutex<[String: GapTracker]>([:])
    /// The newest bar start of each series (source, symbol, interval) that reached the sink's
    /// target — stored, or acknowledged by the bus: what a job's lease may claim (see ``delivered(_:)``).
    private let deliveredBars = Mutex<[DeliveredSeries: UTCTimestamp]>([:])

    struct DeliveredSeries: Hashable {
        var source: String
        var symbol: String
        var interval: String
    }
    /// Where gaps (and undecodable bodies) are written.
    public let store: (any DeadLetterStore & GapStore)?
    private let logger: Logger?
    private let metricsFactory: any MetricsFactory
    /// Poll periods longer than this are shortened to it (the demo shows every source quickly).
    public let maxPeriod: Duration?
    /// The poll jobs of every source's schedule.
    public let jobs: [(source: SourceID, call: EndpointCall, every: Duration)]
    /// The keys of every poll job, in ``jobs``' order (what instances sharing the jobs hold leases on).
    public let jobKeys: [String]
    /// Each source's job keys (the rate split).
    private let jobKeysBySource: [SourceID: [String]]
    /// The source of each job key.
    private let jobSources: [String: SourceID]

    /// Builds a worker for every source of `catalog` that has a valid definition with a poll
    /// schedule; `baseURL` may override where each source is reached (the demo's mock market).
    public init(
        catalog: SourceCatalog, environment: [String: String], transport: some HTTPTransport, buffer: NormalizationBuffer<Envelope>,
        latency: LatencyRecorder = LatencyRecorder(), baseURL: (SourceID) -> String? = { _ in nil }, maxPeriod: Duration? = nil,
        deadLetters: (any DeadLetterStore & GapStore)? = nil, logger: Logger? = nil, only: Set<SourceID>? = nil,
        metricsFactory: any MetricsFactory = MetricsSystem.factory, adjust: (inout ResilienceSettings) -> Void = { _ in }
    ) {
        self.maxPeriod = maxPeriod
        self.store = deadLetters
        self.logger = logger
        self.metricsFactory = metricsFactory
        self.buffer = buffer
        self.pollExecutor = transport.callerExecutor
        self.latency = latency
        var guards: [SourceID: SourceGuard<ContinuousClock>] = [:]
        var fetchers: [SourceID: Fetch] = [:]
        var definitions: [SourceID: SourceDefinition] = [:]
        for (id, definition) in catalog.definitions where !definition.poll.isEmpty && (only?.contains(id) ?? true) {
            let connector: any Connector
            do { connector = try catalog.connector(for: id.rawValue, baseURL: baseURL(id), environment: environment) } catch {
                // Said and counted, not skipped in silence: the source's polls will not run.
                logger?.error("source not started: its connector cannot be built", metadata: ["source": "\(id)", "error": "\(error)"])
                Counter(label: "ingestion_source_start_failures_total", dimensions: [("source", id.rawValue)], factory: metricsFactory).increment()
                continue
            }
            var settings = ResilienceSettings(definition: definition, source: id)
            adjust(&settings)
            let guardian = SourceGuard(source: id.rawValue, settings: settings, clock: ContinuousClock())
            guards[id] = guardian
            definitions[id] = definition
            fetchers[id] = Self.fetcher(
                connector, transport: transport, buffer: buffer, latency: latency, guardian: guardian, deadLetters: deadLetters, logger: logger)
        }
        self.guards = guards
        self.fetchers = fetchers
        self.definitions = definitions
        // Worked out once: the scheduler, the lease rounds and the rate split read them often.
        let jobs = Self.jobs(definitions, maxPeriod: maxPeriod)
        self.jobs = jobs
        self.jobKeys = jobs.map { Self.jobKey($0.source, $0.call) }
        self.jobKeysBySource = Dictionary(grouping: zip(jobs, jobKeys), by: \.0.source).mapValues { $0.map(\.1) }
        self.jobSources = Dictionary(zip(jobKeys, jobs.map(\.source)), uniquingKeysWith: { first, _ in first })
    }

    private static func fetcher<C: Connector, T: HTTPTransport>(
        _ connector: C, transport: T, buffer: NormalizationBuffer<Envelope>, latency: LatencyRecorder, guardian: SourceGuard<ContinuousClock>,
        deadLetters: (any DeadLetterStore)?, logger: Logger?
    ) -> Fetch {
        let worker = ResilientWorker(
            worker: SourceWorker(connector: connector, transport: transport, buffer: buffer, latency: latency), guardian: guardian,
            clock: ContinuousClock(), deadLetters: deadLetters, logger: logger)
        return { call, cost in try await worker.fetch(call, cost: cost) }
    }

    /// What travels with a job's lease: its newest bars (`bars`: `[{symbol, interval, start}]`)
    /// and, while its source holds off (breaker open, throttled), until when and why
    /// (`hold_until`, `reason`); nil when there is nothing to say.
    public func progress(job: String) -> JSONValue? {
        var members: [(key: String, value: JSONValue)] = []
        // Bars count as reached only once delivered: a bar this instance received but had not
        // yet stored (or the bus not acknowledged) when it died is then inside the taker's
        // `failover` gap instead of silently missing.
        let received = trackers.withLock { $0[job]?.newestBars } ?? []
        let source = jobSources[job]?.rawValue ?? ""
        let bars = deliveredBars.withLock { delivered in
            received.compactMap { bar -> (symbol: String, interval: String, start: UTCTimestamp)? in
                guard let newest = delivered[DeliveredSeries(source: source, symbol: bar.symbol, interval: bar.interval)] else { return nil }
                return (bar.symbol, bar.interval, min(newest, bar.start))
            }
        }
        if !bars.isEmpty {
            members.append(
                (
                    "bars",
                    .array(
                        bars.map { bar in
                            .object(JSONObject([("symbol", .string(bar.symbol)), ("interval", .string(bar.interval)), ("start", .string(bar.start.rfc3339))]))
                        })
                ))
        }
        if let source = jobSources[job], let status = guards[source]?.status, status.state != "closed", let until = status.nextAllowedAt {
            members.append(("hold_until", .string(until.rfc3339)))
            members.append(("reason", .string(status.reason ?? status.state)))
        }
        return members.isEmpty ? nil : .object(JSONObject(members))
    }

    /// The sink stored `batch` (or the bus acknowledged it): its bars now count for the jobs'
    /// progress that leases carry.
    public func delivered(_ batch: [Envelope]) {
        var newest: [DeliveredSeries: UTCTimestamp] = [:]
        for envelope in batch {
            guard case .bar(let bar) = envelope.record.payload else { continue }
            let key = DeliveredSeries(source: envelope.record.source.rawValue, symbol: envelope.record.symbol, interval: bar.interval)
            if newest[key].map({ bar.start > $0 }) ?? true { newest[key] = bar.start }
        }
        guard !newest.isEmpty else { return }
        deliveredBars.withLock { delivered in
            for (key, start) in newest where delivered[key].map({ start > $0 }) ?? true { delivered[key] = start }
        }
    }

    /// This instance took `job` over; `progress` is what its last holder said about it: the first
    /// poll's bars are checked against its newest bars for a `failover` gap, and a source it was
    /// holding off is held off here too until the same time.
    public func tookOver(job: String, progress: JSONValue?) {
        guard case .object(let said)? = progress else { return }
        if case .array(let items)? = said["bars"] {
            let bars = items.compactMap { item -> (symbol: String, interval: String, start: UTCTimestamp)? in
                guard let symbol = item["symbol"]?.stringValue, let interval = item["interval"]?.stringValue,
                    let start = item["start"]?.stringValue.flatMap(UTCTimestamp.init(rfc3339:))
                else { return nil }
                return (symbol, interval, start)
            }
            if !bars.isEmpty { trackers.withLock { $0[job, default: GapTracker()].handedOver(bars) } }
        }
        if let until = said["hold_until"]?.stringValue.flatMap(UTCTimestamp.init(rfc3339:)), let source = jobSources[job] {
            guards[source]?.adoptPause(until: until, reason: said["reason"]?.stringValue ?? "held off")
        }
    }

    /// Splits each source's rate budget by the jobs this instance holds (`held`: job keys): an
    /// instance with a third of a source's jobs spends a third of its limit, so instances sharing
    /// the jobs never send more than the provider's limit between them.
    public func shareRateLimits(held: Set<String>) {
        for (source, guardian) in guards {
            guard let keys = jobKeysBySource[source], !keys.isEmpty else { continue }
            guardian.setRateShare(Double(keys.filter(held.contains).count) / Double(keys.count))
        }
    }

    /// The poll jobs of every source's schedule, in `definitions`' id order.
    private static func jobs(
        _ definitions: [SourceID: SourceDefinition], maxPeriod: Duration?
    ) -> [(source: SourceID, call: EndpointCall, every: Duration)] {
        definitions.keys.sorted().flatMap { id in
            definitions[id]!.poll.map { poll in
                (id, EndpointCall(poll.endpoint, symbols: poll.symbols, parameters: poll.parameters), maxPeriod.map { min($0, poll.every) } ?? poll.every)
            }
        }
    }

    /// One poll through the source's resilient worker; failures are counted, not thrown.
    public func poll(_ source: SourceID, _ call: EndpointCall) async {
        guard let fetch = fetchers[source] else { return }
        let cost = ResilienceSettings.cost(of: call, source: source, definition: definitions[source])
        do {
            let records = try await fetch(call, cost)
            counters.withLock {
                $0.polls += 1; $0.records += records.count
            }
            activity.succeeded(source, records: records)
            let gaps = trackers.withLock { $0[Self.jobKey(source, call), default: GapTracker()].received(records.map(\.record), source: source) }
            await record(gaps, source: source)
        } catch is CancellationError {
            // Cut off by the shutdown: neither a success nor the source's failure (it would show
            // as failing in the last summary line and /sources while the process drains).
        } catch {
            counters.withLock {
                $0.polls += 1; $0.failures += 1
            }
            activity.failed(source, error: "\(call.endpoint): \(error)")
            trackers.withLock { $0[Self.jobKey(source, call), default: GapTracker()].failed(error) }
        }
    }

    /// A poll job's identity: source, endpoint, symbols and parameters (gap tracking, leases).
    public static func jobKey(_ source: SourceID, _ call: EndpointCall) -> String {
        "\(source)|\(call.endpoint)|\(call.symbols.joined(separator: ","))|\(call.parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "&"))"
    }

    /// Gaps go to the store's gaps table, the metrics and the source's activity.
    private func record(_ gaps: [Gap], source: SourceID) async {
        guard !gaps.isEmpty else { return }
        do { try await store?.recordGaps(gaps, detectedAt: .now()) } catch {
            // The gaps still reach the metrics and /sources below; the lost rows are said and counted.
            logger?.error("gaps not stored", metadata: ["source": "\(source)", "count": "\(gaps.count)", "error": "\(error)"])
            Counter(label: "ingestion_store_write_failures_total", dimensions: [("what", "gaps")], factory: metricsFactory).increment()
        }
        for gap in gaps {
            Counter(label: "ingestion_gaps_total", dimensions: [("source", source.rawValue), ("reason", gap.reason)], factory: metricsFactory).increment()
            let bars = DurationText.parse(gap.interval).map { gap.missingBars(step: $0) } ?? 1
            Counter(label: "ingestion_missing_bars_total", dimensions: [("source", source.rawValue)], factory: metricsFactory).increment(by: bars)
        }
        activity.gapped(source, gaps)
    }

    /// How old a source's newest `as_of` may get before it is stale: its Sources.d
    /// `stale_after`, else the larger of `fallback` and three of its shortest poll period.
    public func staleAfter(_ source: SourceID, fallback: Duration) -> Duration {
        if let own = definitions[source]?.staleAfter { return own }
        let shortest = jobs.filter { $0.source == source }.map(\.every).min()
        return max(fallback, (shortest ?? .zero) * 3)
    }

    /// How `source` is doing now (failing, stale, one word); `fallback` as for ``staleAfter(_:fallback:)``.
    public func condition(_ source: SourceID, fallback: Duration, now: UTCTimestamp = .now()) -> SourceCondition {
        SourceCondition(
            activity: activity[source], breakerState: guards[source]?.status.state ?? "closed", startedAt: activity.startedAt, now: now,
            staleAfter: staleAfter(source, fallback: fallback))
    }

    /// Polls made, polls that failed, records pushed.
    public var totals: (polls: Int, failures: Int, records: Int) { counters.withLock { $0 } }
}
