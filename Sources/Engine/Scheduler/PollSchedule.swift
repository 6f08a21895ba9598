import Connectors
import TributaryCore

/// When each poll of the aggregator is due: a pure state machine, told the time.
///
/// Each job is one (source, endpoint call) polled every `every`. Jobs start at a random offset
/// within their first period so that sources do not all fire at once, and each later due time
/// moves by up to ±`jitter` of the period. A job is never handed out again while its previous
/// poll is in flight (no overlapping polls of the same endpoint and symbols), and a poll that
/// overran does not cause a burst of catch-up polls: the next due time is the first period
/// boundary after the poll ended.
///
/// Events: `due(now:)` → the jobs to start (marked in flight); `completed(_:now:)` → the job is
/// scheduled again; `nextWakeup` → when to look again.
public struct PollSchedule<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration, Instant: Sendable {
    public struct Job: Sendable, Hashable {
        public let id: Int
        public let source: SourceID
        public let call: EndpointCall
        public let every: Duration
    }

    private struct Slot {
        var job: Job
        var anchor: Instant
        var nextDue: Instant
        var inFlight = false
        var runs = 0
    }

    private var slots: [Slot] = []
    private var generator: SplitMix64
    public let jitter: Double

    /// - Parameters:
    ///   - jobs: what to poll and how often (periods of at least 100 ms).
    ///   - start: the time the schedule starts.
    ///   - jitter: the share of a period each due time may move by (0 … 0.5).
    public init(jobs: [(source: SourceID, call: EndpointCall, every: Duration)], start: Instant, jitter: Double = 0.1, seed: UInt64 = 1) {
        precondition((0...0.5).contains(jitter), "jitter must be 0…0.5")
        self.jitter = jitter
        generator = SplitMix64(seed: seed)
        for (index, job) in jobs.enumerated() {
            precondition(job.every >= .milliseconds(100), "poll periods must be at least 100 ms")
            let offset = job.every * Self.fraction(&generator)
            let first = start.advanced(by: offset)
            slots.append(Slot(job: Job(id: index, source: job.source, call: job.call, every: job.every), anchor: first, nextDue: first))
        }
    }

    public var jobs: [Job] { slots.map(\.job) }

    /// The jobs due at `now` that are not already running; they are marked in flight.
    public mutating func due(now: Instant) -> [Job] {
        var ready: [Job] = []
        for index in slots.indices where !slots[index].inFlight && slots[index].nextDue <= now {
            slots[index].inFlight = true
            slots[index].runs += 1
            ready.append(slots[index].job)
        }
        return ready
    }

    /// A job's poll ended at `now`: it is due again at the first period boundary after `now`.
    public mutating func completed(_ job: Job, now: Instant) {
        guard let index = slots.firstIndex(where: { $0.job.id == job.id }) else { return }
        precondition(slots[index].inFlight, "Internal inconsistency: completed a poll that was not running")
        slots[index].inFlight = false
        var anchor = slots[index].anchor
        repeat { anchor = anchor.advanced(by: job.every) } while anchor <= now
        slots[index].anchor = anchor
        let swing = (Self.fraction(&generator) * 2 - 1) * jitter
        slots[index].nextDue = anchor.advanced(by: job.every * swing)
    }

    /// The earliest time a job not in flight is due; nil when every job is running.
    public var nextWakeup: Instant? {
        slots.filter { !$0.inFlight }.map(\.nextDue).min()
    }

    /// Per source, the earliest time one of its jobs not in flight is due (for `/sources`).
    public var nextDueBySource: [SourceID: Instant] {
        var result: [SourceID: Instant] = [:]
        for slot in slots where !slot.inFlight {
            if let current = result[slot.job.source], current <= slot.nextDue { continue }
            result[slot.job.source] = slot.nextDue
        }
        return result
    }

    /// How many times each job has been started, by job id.
    public var runs: [Int: Int] {
        Dictionary(uniqueKeysWithValues: slots.map { ($0.job.id, $0.runs) })
    }

    private static func fraction(_ generator: inout SplitMix64) -> Double {
        Double(generator.next() >> 11) / Double(1 << 53)
    }
}
