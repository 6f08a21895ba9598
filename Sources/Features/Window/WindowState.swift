import Pipeline
import TributaryCore

/// The pure state machine of one window length for one entity: events go in (any order, any
/// number of times), windows come out once the threshold (the watermark) passes their end.
///
/// No clock and no I/O: the engine passes the threshold in, so tests drive it with any
/// sequence of watermarks. Events live in panes one step (`every`) long, keyed by identity: the
/// same event twice is stored once, a new content under the same key replaces the old. A
/// window's values are computed when it is emitted, from its events in one total order, so
/// the result does not depend on the order events arrived in.
struct WindowState: Sendable, Codable {
    let spec: WindowSpec
    /// Pane start → the pane's events by identity.
    private(set) var panes: [Int64: [String: FeatureEvent]] = [:]
    /// The first window start not yet emitted; every window before it has been (if it had events).
    private(set) var nextStart: Int64?
    /// Panes before this start have been checked for sequence holes.
    private var sealedThrough: Int64?
    private var lastSequence: Numbered?

    /// The highest sequence number checked so far, and its event's time.
    struct Numbered: Sendable, Codable {
        var number: Int64
        var time: Int64
    }
    private var series = SeriesStatistics()
    /// Statistics each emitted window got, kept while a correction may re-emit it.
    private var emittedStatistics: [Int64: [FeatureRow.Value]] = [:]
    /// Late events applied to each emitted window (for its provenance).
    private var corrections: [Int64: Int] = [:]

    init(spec: WindowSpec) {
        self.spec = spec
    }

    enum Insertion: Equatable {
        case added
        /// The same identity and content hash is already there.
        case duplicate
        /// The same identity with another content hash: the new one replaced it.
        case replaced
        /// Its first window has already been emitted (and the policy does not correct it, or
        /// its window closed more than `lateness` ago).
        case late
        /// Applied to windows already emitted (policy `correct`): they must be re-emitted.
        case corrected(windowStarts: [Int64])
        /// Its time is at an end of the time range where no window can be cut.
        case outOfRange
    }

    /// One emitted (or re-emitted) window.
    struct Emitted: Sendable {
        var start: Int64
        var end: Int64
        var values: [FeatureRow.Value]
        var events: Int
        var corrections: Int
    }

    /// A hole in the sequence numbers of the events, found once their panes were complete.
    struct SequenceHole: Sendable, Hashable {
        var first: Int64
        var last: Int64
        var afterTime: Int64
        var beforeTime: Int64
    }

    /// Adds an event. `correcting` is true under the `correct` policy.
    mutating func insert(_ event: FeatureEvent, correcting: Bool) -> Insertion {
        guard let pane = spec.pane(of: event.time), pane <= Int64.max - spec.size else { return .outOfRange }
        let existing = panes[pane]?[event.key]
        if let existing, existing.contentHash == event.contentHash { return .duplicate }
        let firstWindow = pane - (spec.size - spec.every)
        if let nextStart, firstWindow < nextStart {
            // A window holding it has been emitted already.
            guard correcting, panes[pane] != nil || isRetained(pane) else { return .late }
            panes[pane, default: [:]][event.key] = event
            let emittedStarts = stride(from: firstWindow, through: pane, by: Int(spec.every)).filter { $0 < nextStart }
            for start in emittedStarts { corrections[start, default: 0] += 1 }
            return .corrected(windowStarts: emittedStarts)
        }
        panes[pane, default: [:]][event.key] = event
        return existing == nil ? .added : .replaced
    }

    /// Panes are kept for corrections until `retainedAfter` (set by the last emission).
    private var retainedAfter: Int64?
    private func isRetained(_ pane: Int64) -> Bool {
        guard let retainedAfter else { return true }
        return pane >= retainedAfter
    }

    /// Emits every window whose end is at or before `threshold` and that holds events, oldest
    /// first, and forgets panes no window needs any more (keeping `retention` nanoseconds of
    /// closed windows for corrections).
    mutating func emit(
        through threshold: Int64, retention: Int64, features: [FeatureSet.Feature], checksSequence: Bool
    ) -> (windows: [Emitted], holes: [SequenceHole]) {
        // Windows with start ≤ threshold − size are closed: the first open start is the next step.
        let (lastClosedEnd, underflow) = threshold.subtractingReportingOverflow(spec.size)
        guard !underflow, let lastClosed = spec.pane(of: lastClosedEnd), lastClosed <= Int64.max - spec.every else { return ([], []) }
        let limit = lastClosed + spec.every
        if let nextStart, limit <= nextStart { return ([], []) }
        var starts = Set<Int64>()
        for pane in panes.keys {
            var start = pane - (spec.size - spec.every)
            while start <= pane {
                if start < limit, nextStart.map({ start >= $0 }) ?? true { starts.insert(start) }
                start += spec.every
            }
        }
        var emitted: [Emitted] = []
        for start in starts.sorted() {
            var window = emitWindow(start, features: features, corrections: 0)
            let statistics = series.advance(close: window.close, start: start, features: features)
            window.emitted.values += statistics
            if retention > 0 { emittedStatistics[start] = statistics }
            emitted.append(window.emitted)
        }
        nextStart = limit
        var holes: [SequenceHole] = []
        if checksSequence { holes = seal(before: limit + spec.size - spec.every) }
        // Forget panes whose every window is emitted and past the retention.
        let (keepFrom, overflow) = limit.subtractingReportingOverflow(retention)
        let cutoff = overflow ? Int64.min : keepFrom
        retainedAfter = cutoff
        panes = panes.filter { $0.key >= cutoff }
        if retention > 0 {
            emittedStatistics = emittedStatistics.filter { $0.key + spec.size > cutoff }
            corrections = corrections.filter { $0.key + spec.size > cutoff }
        } else {
            corrections = [:]
        }
        return (emitted, holes)
    }

    /// Re-emits windows a correction changed, with the statistics they first had.
    mutating func reemit(_ starts: [Int64], features: [FeatureSet.Feature]) -> [Emitted] {
        starts.map { start in
            var window = emitWindow(start, features: features, corrections: corrections[start] ?? 0)
            window.emitted.values += emittedStatistics[start] ?? []
            return window.emitted
        }
    }

    private func emitWindow(_ start: Int64, features: [FeatureSet.Feature], corrections: Int) -> (emitted: Emitted, close: ExactDecimal?) {
        var events: [FeatureEvent] = []
        var pane = start
        while pane < start + spec.size {
            if let held = panes[pane] { events.append(contentsOf: held.values) }
            pane += spec.every
        }
        events.sort(by: FeatureEvent.precedes)
        let (values, close) = WindowValues.compute(events, features: features)
        return (Emitted(start: start, end: start + spec.size, values: values, events: events.count, corrections: corrections), close)
    }

    /// Checks panes that can no longer receive events (their first window was emitted) for
    /// holes in the sequence numbers, in time order.
    private mutating func seal(before end: Int64) -> [SequenceHole] {
        var holes: [SequenceHole] = []
        for pane in panes.keys.sorted() where pane < end && pane >= (sealedThrough ?? .min) {
            let numbered = panes[pane]!.values.filter { $0.sequence != nil }.sorted { $0.sequence! < $1.sequence! }
            for event in numbered {
                let number = event.sequence!
                if let last = lastSequence {
                    if number > last.number + 1 {
                        holes.append(SequenceHole(first: last.number + 1, last: number - 1, afterTime: last.time, beforeTime: event.time))
                    }
                    if number > last.number { lastSequence = Numbered(number: number, time: event.time) }
                } else {
                    lastSequence = Numbered(number: number, time: event.time)
                }
            }
        }
        sealedThrough = max(sealedThrough ?? .min, end)
        return holes
    }
}
