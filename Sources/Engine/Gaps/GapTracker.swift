import Connectors
import Pipeline
import Resilience
import TributaryCore

/// Finds missing bars per poll job: it remembers the newest bar start of each (symbol,
/// interval) and what went wrong since, and when bars arrive it reports the intervals that
/// neither arrived nor were covered — with the reason: the polls in between were throttled, the
/// breaker was open, the upstream failed, or the upstream simply returned no bar for them.
///
/// Pure: times come in as arguments, nothing here does I/O. A bar window that overlaps the
/// outage (klines return the last N bars) backfills it, so only truly lost bars become gaps.
public struct GapTracker: Sendable {
    struct SeriesKey: Hashable { var symbol: String; var interval: String }

    private var newest: [SeriesKey: UTCTimestamp] = [:]
    /// Why the polls since the last success failed (the first reason of the outage).
    private var outage: String?
    /// Symbols trading around the clock; only they get "upstream empty" gaps between bars
    /// (an equity's nights and weekends are not holes).
    private let continuous: @Sendable (String) -> Bool

    public init(continuous: @escaping @Sendable (String) -> Bool = { $0.contains("-") }) {
        self.continuous = continuous
    }

    /// The newest bar start of each (symbol, interval) seen: what travels with a job's lease, so
    /// the instance that takes the job over knows where its bars ended.
    public var newestBars: [(symbol: String, interval: String, start: UTCTimestamp)] {
        newest.map { ($0.key.symbol, $0.key.interval, $0.value) }.sorted { ($0.symbol, $0.interval) < ($1.symbol, $1.interval) }
    }

    /// This job was taken over from an instance whose newest bars were `bars`: the first poll's
    /// bars are compared with them, and a hole between is a gap with the reason `failover` (a
    /// bar window that reaches back over it fills it instead). Series this tracker has seen
    /// itself keep what it knows.
    public mutating func handedOver(_ bars: [(symbol: String, interval: String, start: UTCTimestamp)]) {
        var seeded = false
        for bar in bars where newest[SeriesKey(symbol: bar.symbol, interval: bar.interval)] == nil {
            newest[SeriesKey(symbol: bar.symbol, interval: bar.interval)] = bar.start
            seeded = true
        }
        if seeded, outage == nil { outage = "failover" }
    }

    /// A poll failed: remember why, for the gap it may leave.
    public mutating func failed(_ error: any Error) {
        if outage == nil { outage = Self.reason(error) }
    }

    /// A poll succeeded: the gaps its bars reveal.
    public mutating func received(_ records: [Record], source: SourceID) -> [Gap] {
        defer { outage = nil }
        var bySeries: [SeriesKey: [UTCTimestamp]] = [:]
        for record in records {
            guard case .bar(let bar) = record.payload else { continue }
            bySeries[SeriesKey(symbol: record.symbol, interval: bar.interval), default: []].append(bar.start)
        }
        var gaps: [Gap] = []
        for (key, starts) in bySeries {
            guard let step = DurationText.parse(key.interval), step > .zero else { continue }
            let sorted = starts.sorted()
            let stepNanos = step.nanosecondsCount
            func hole(after previous: UTCTimestamp, before next: UTCTimestamp, reason: String) {
                // Bar times are upstream data: a distance past Int64 is a hole, not a trap.
                let (distance, overflow) = next.nanosecondsSinceEpoch.subtractingReportingOverflow(previous.nanosecondsSinceEpoch)
                guard overflow || distance > stepNanos, let from = previous.adding(nanoseconds: stepNanos),
                    let to = next.adding(nanoseconds: -stepNanos)
                else { return }
                gaps.append(Gap(source: source, symbol: key.symbol, interval: key.interval, from: from, to: to, reason: reason))
            }
            if let last = newest[key], let first = sorted.first, first > last {
                if let outage {
                    hole(after: last, before: first, reason: outage)
                } else if continuous(key.symbol) {
                    hole(after: last, before: first, reason: "upstream empty")
                }
            }
            if continuous(key.symbol) {
                for (previous, next) in zip(sorted, sorted.dropFirst()) where newest[key].map({ previous >= $0 }) ?? true {
                    hole(after: previous, before: next, reason: "upstream empty")
                }
            }
            if let latest = sorted.last, newest[key].map({ latest > $0 }) ?? true { newest[key] = latest }
        }
        return gaps.sorted { ($0.symbol, $0.from) < ($1.symbol, $1.from) }
    }

    static func reason(_ error: any Error) -> String {
        if let error = error as? ResilienceError {
            if error.code == .circuitOpen { return "breaker open" }
            return error.code.isThrottle ? "throttled" : "rejected"
        }
        if case .throttled = CallOutcome.classify(error) { return "throttled" }
        return "upstream error"
    }
}
