import Pipeline
import TributaryCore

/// The pure state machine of one window length for one entity: events go in (any order),
/// windows come out once the threshold (the watermark) passes their end.
///
/// No clock and no I/O: the engine passes the threshold in, so tests drive it with any
/// sequence of watermarks. Events live in panes one step (`every`) long; the engine has
/// already decided (once for all windows, ``IdentityIndex``) whether an event is new, a
/// duplicate or a replacement. A window's values are computed when it is emitted, by one scan
/// of its events in a total order, so they do not depend on the order events arrived in.
struct WindowState: Sendable, Codable {
    let spec: WindowSpec
    /// Pane start → the pane's events.
    private(set) var panes = TimeBuckets<[Tick]>()
    /// The first window start not yet emitted; every window before it has been (if it had events).
    private(set) var nextStart: Int64?
    /// Panes before this start are kept no longer (set by the last emission).
    private(set) var retainedAfter: Int64?
    /// Panes before this start have been checked for sequence holes.
    private var sealedThrough: Int64?
    private var lastSequence: Numbered?
    private var series = SeriesStatistics()
    /// Statistics each emitted window got, kept while a correction may re-emit it.
    private var emittedStatistics: [Int64: [FeatureRow.Value]] = [:]
    /// Late events applied to each emitted window (for its provenance).
    private var corrections: [Int64: Int] = [:]

    /// The highest sequence number checked so far, and its event's time.
    struct Numbered: Sendable, Codable {
        var number: Int64
        var time: Int64
    }

    init(spec: WindowSpec) {
        self.spec = spec
    }

    enum Insertion: Equatable {
        case added
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

    /// The pane holding `time`, or nil where no window can be cut.
    func pane(of time: Int64) -> Int64? {
        guard let pane = spec.pane(of: time), pane <= Int64.max - spec.size else { return nil }
        return pane
    }

    /// Adds a new event. `correcting`: policy `correct`.
    mutating func insert(_ tick: Tick, correcting: Bool) -> Insertion {
        guard let pane = pane(of: tick.time) else { return .outOfRange }
        let firstWindow = pane - (spec.size - spec.every)
        if let nextStart, firstWindow < nextStart {
            // A window holding it has been emitted already.
            guard correcting, panes[pane] != nil || retainedAfter.map({ pane >= $0 }) ?? true else { return .late }
            let hint = panes.values.last?.count ?? 4
            panes.modify(pane, default: Self.newPane(capacity: hint)) { $0.append(tick) }
            let emittedStarts = stride(from: firstWindow, through: pane, by: Int(spec.every)).filter { $0 < nextStart }
            for start in emittedStarts { corrections[start, default: 0] += 1 }
            return .corrected(windowStarts: emittedStarts)
        }
        let hint = panes.values.last?.count ?? 4
        panes.modify(pane, default: Self.newPane(capacity: hint)) { $0.append(tick) }
        return .added
    }

    /// An empty pane with room for as many events as the newest one holds (panes of a
    /// steady feed are alike, so it rarely grows).
    private static func newPane(capacity: Int) -> [Tick] {
        var ticks: [Tick] = []
        ticks.reserveCapacity(max(4, capacity))
        return ticks
    }

    /// The new content of an event seen before at `oldTime`: it takes the old one's place when
    /// this window would accept it; when it is late here, the old content stays.
    mutating func replace(key: String, at oldTime: Int64, with tick: Tick, correcting: Bool) -> Insertion {
        guard let pane = pane(of: tick.time) else { return .outOfRange }
        if let nextStart, pane - (spec.size - spec.every) < nextStart,
            !correcting || (panes[pane] == nil && !(retainedAfter.map({ pane >= $0 }) ?? true))
        {
            return .late
        }
        if let old = self.pane(of: oldTime), panes[old] != nil {
            panes.modify(old, default: []) { ticks in ticks.firstIndex { $0.key == key }.map { _ = ticks.remove(at: $0) } }
        }
        return insert(tick, correcting: correcting)
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
        let from = nextStart ?? .min
        var starts: [Int64] = []
        if spec.isTumbling {
            starts = panes.starts.filter { $0 >= from && $0 < limit }
        } else {
            var unique = Set<Int64>()
            for pane in panes.starts where pane + spec.size > from {
                var start = pane - (spec.size - spec.every)
                while start <= pane {
                    if start < limit, start >= from { unique.insert(start) }
                    start += spec.every
                }
            }
            starts = Array(unique)
        }
        if !spec.isTumbling { starts.sort() }
        var emitted: [Emitted] = []
        emitted.reserveCapacity(starts.count)
        for start in starts {
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
        panes.removeAll(before: cutoff)
        if retention > 0 {
            let forgotten = emittedStatistics.keys.filter { $0 + spec.size <= cutoff }
            for start in forgotten {
                emittedStatistics[start] = nil
                corrections[start] = nil
            }
        } else if !corrections.isEmpty {
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
        var scan = WindowValues.Scan(features: features)
        var pane = start
        while pane < start + spec.size {
            if let ticks = panes[pane] { for tick in ticks { scan.add(tick) } }
            pane += spec.every
        }
        let (values, close) = scan.result()
        return (Emitted(start: start, end: start + spec.size, values: values, events: scan.count, corrections: corrections), close)
    }

    /// Checks panes that can no longer receive events (their first window was emitted) for
    /// holes in the sequence numbers, in time order.
    private mutating func seal(before end: Int64) -> [SequenceHole] {
        var holes: [SequenceHole] = []
        let sealing = panes.starts.filter { $0 < end && $0 >= (sealedThrough ?? .min) }
        for pane in sealing {
            var numbers = panes[pane]!.compactMap { $0.sequence == .min ? nil : Numbered(number: $0.sequence, time: $0.time) }
            numbers.sort { $0.number < $1.number }
            for numbered in numbers {
                if let last = lastSequence {
                    if numbered.number > last.number + 1 {
                        holes.append(SequenceHole(first: last.number + 1, last: numbered.number - 1, afterTime: last.time, beforeTime: numbered.time))
                    }
                    if numbered.number > last.number { lastSequence = numbered }
                } else {
                    lastSequence = numbered
                }
            }
        }
        sealedThrough = max(sealedThrough ?? .min, end)
        return holes
    }
}
