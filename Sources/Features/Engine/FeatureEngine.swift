import Pipeline
import TributaryCore

/// Runs one feature set over records: the same code for streaming (`tributary run`, records as
/// they leave the buffer) and backfill (`tributary features backfill`, records read back from
/// the store in time order), so a model trained on backfilled features sees what it will be
/// served live.
///
/// A value type with no clock and no I/O: feed it records, get feature rows and sequence gaps
/// back. Each source has a watermark — its newest event time minus the set's `watermark` —
/// and a window is emitted once the watermark passes its end (under `hold`, `lateness` after
/// that). Events that arrive in any order inside the watermark give the same rows as the
/// sorted stream; a duplicate (same identity and content hash) never counts twice.
public struct FeatureEngine: Sendable {
    public let set: FeatureSet
    /// Each entity's windows and identity index, by position (one hash lookup per event).
    var states: [EntityState] = []
    var positions: [Entity: Int] = [:]
    var entitiesBySource: [SourceID: [Int]] = [:]
    /// Newest event time seen per source.
    var newest: [SourceID: Int64] = [:]
    /// The threshold each source's windows were last emitted through, in steps of the smallest window step.
    var emittedStep: [SourceID: Int64] = [:]
    private let smallestStep: Int64
    public internal(set) var counters = Counters()

    public init(set: FeatureSet) {
        self.set = set
        smallestStep = set.windows.map(\.every).min() ?? 1_000_000_000
    }

    struct Entity: Hashable, Sendable, Codable {
        var source: SourceID
        var symbol: String
    }

    /// One entity's state: a window state per window length and what it has seen.
    struct EntityState: Sendable, Codable {
        var entity: Entity
        var windows: [WindowState]
        var identities: IdentityIndex
    }

    /// What the engine did with the events it was given.
    public struct Counters: Sendable, Hashable, Codable {
        public var events = 0
        public var duplicates = 0
        /// Events that replaced an earlier event with the same identity and other content.
        public var replaced = 0
        /// Late events dropped (every policy drops beyond `lateness`; `drop` at once).
        public var lateDropped = 0
        /// Late events applied to windows already emitted (policy `correct`).
        public var lateCorrected = 0
        /// Events at the ends of the time range, where no window can be cut.
        public var outOfRange = 0
        public var rows = 0
        public var holes = 0
    }

    /// Rows and sequence holes produced by a call.
    public struct Output: Sendable {
        public var rows: [FeatureRow] = []
        public var gaps: [Gap] = []

        public init() {}
    }

    /// The source's watermark: its newest event time minus the set's `watermark`.
    public func watermark(of source: SourceID) -> UTCTimestamp? {
        newest[source].map { UTCTimestamp(nanosecondsSinceEpoch: Self.minus($0, set.watermark)) }
    }

    /// Feeds records (those the set does not read are skipped).
    public mutating func ingest(_ envelopes: some Sequence<Envelope>) -> Output {
        var output = Output()
        for envelope in envelopes where set.input.accepts(envelope.record) {
            guard let event = FeatureEvent(envelope) else { continue }
            ingest(event, into: &output)
        }
        return output
    }

    /// Feeds one event.
    public mutating func ingest(_ event: FeatureEvent) -> Output {
        var output = Output()
        ingest(event, into: &output)
        return output
    }

    private mutating func ingest(_ event: FeatureEvent, into output: inout Output) {
        counters.events += 1
        let entity = Entity(source: event.source, symbol: event.symbol)
        let position: Int
        if let known = positions[entity] {
            position = known
        } else {
            position = states.count
            states.append(EntityState(entity: entity, windows: set.windows.map { WindowState(spec: $0) }, identities: IdentityIndex(bucketSize: smallestStep)))
            positions[entity] = position
            entitiesBySource[event.source, default: []].append(position)
        }
        let tick = Tick(event)
        var replacing: Int64?
        switch states[position].identities.record(key: tick.key, hash: event.contentHash, time: tick.time) {
        case .duplicate:
            counters.duplicates += 1
            return
        case .replaces(let time):
            counters.replaced += 1
            replacing = time
        case .new:
            break
        }
        let correcting = set.late == .correct
        var inRange = false
        for index in set.windows.indices {
            let insertion =
                if let replacing {
                    states[position].windows[index].replace(key: tick.key, at: replacing, with: tick, correcting: correcting)
                } else {
                    states[position].windows[index].insert(tick, correcting: correcting)
                }
            // An event is counted once, by what happened in the set's first window.
            let counted = index > 0
            if insertion != .outOfRange { inRange = true }
            switch insertion {
            case .added: break
            case .late: if !counted { counters.lateDropped += 1 }
            case .outOfRange: if !counted { counters.outOfRange += 1 }
            case .corrected(let starts):
                if !counted { counters.lateCorrected += 1 }
                let windows = states[position].windows[index].reemit(starts, features: set.features)
                output.rows += windows.map { row($0, entity: entity, spec: set.windows[index]) }
            }
        }
        // An event no window can hold moves no watermark.
        guard inRange else { return }
        if newest[event.source].map({ event.time > $0 }) ?? true { newest[event.source] = event.time }
        emitDue(source: event.source, into: &output)
    }

    /// Emits every window of every source that ends at or before `time`, as if each source's
    /// watermark had reached it (the end of a backfill over a closed range).
    public mutating func close(through time: Int64) -> Output {
        var output = Output()
        for source in entitiesBySource.keys.sorted() where newest[source].map({ Self.minus($0, set.watermark) < time }) ?? false {
            emit(source: source, threshold: time, into: &output)
        }
        return output
    }

    /// Emits the windows the source's watermark has closed (checked once per smallest step).
    private mutating func emitDue(source: SourceID, into output: inout Output) {
        guard let newestTime = newest[source] else { return }
        var threshold = Self.minus(newestTime, set.watermark)
        if set.late == .hold { threshold = Self.minus(threshold, set.lateness) }
        let step = threshold.floorDivided(by: smallestStep)
        if let last = emittedStep[source], step <= last { return }
        emittedStep[source] = step
        emit(source: source, threshold: threshold, into: &output)
    }

    private mutating func emit(source: SourceID, threshold: Int64, into output: inout Output) {
        let retention = set.late == .correct ? set.lateness : 0
        for position in entitiesBySource[source] ?? [] {
            let entity = states[position].entity
            var oldestKept = Int64.max
            for index in set.windows.indices {
                let (windows, holes) = states[position].windows[index].emit(
                    through: threshold, retention: retention, features: set.features, checksSequence: set.checkSequence && index == 0)
                output.rows += windows.map { row($0, entity: entity, spec: set.windows[index]) }
                counters.holes += holes.count
                output.gaps += holes.map { hole in
                    Gap(
                        source: entity.source, symbol: entity.symbol, interval: "trade ids",
                        from: UTCTimestamp(nanosecondsSinceEpoch: hole.afterTime), to: UTCTimestamp(nanosecondsSinceEpoch: hole.beforeTime),
                        reason: "sequence gap: ids \(hole.first)…\(hole.last) missing (\(hole.last - hole.first + 1)), seen by feature set \(set.name)")
                }
                oldestKept = min(oldestKept, states[position].windows[index].retainedAfter ?? .min)
            }
            // Identities no window holds any more are forgotten with them.
            if oldestKept > .min { states[position].identities.forget(before: oldestKept) }
        }
    }

    private mutating func row(_ window: WindowState.Emitted, entity: Entity, spec: WindowSpec) -> FeatureRow {
        counters.rows += 1
        return FeatureRow(
            set: set.name, version: set.version, source: entity.source, symbol: entity.symbol, window: spec.description,
            start: UTCTimestamp(nanosecondsSinceEpoch: window.start), end: UTCTimestamp(nanosecondsSinceEpoch: window.end), values: window.values,
            events: window.events, corrections: window.corrections)
    }

    /// a − b, stopping at the start of the time range instead of overflowing.
    static func minus(_ a: Int64, _ b: Int64) -> Int64 {
        let (difference, overflow) = a.subtractingReportingOverflow(b)
        return overflow ? .min : difference
    }
}
