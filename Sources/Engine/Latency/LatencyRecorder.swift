import Histogram
import Synchronization
import TributaryCore

/// Request latency and outcomes per source and overall, in HdrHistograms.
///
/// Averages hide the slow requests that matter; an HdrHistogram (3 significant digits,
/// microsecond resolution, auto-resizing) gives p50/p95/p99/max over every request in
/// constant memory and O(1) per record. Time is read through an injected `now`, so tests
/// run on a virtual clock.
public final class LatencyRecorder: Sendable {
    fileprivate struct Series {
        var histogram = LatencyRecorder.makeHistogram()
        var successes = 0
        var failures = 0
        var firstAt: Duration?
    }

    private struct Guarded: ~Copyable {
        var overall = Series()
        var bySource: [SourceID: Series] = [:]
    }

    private let state = Mutex(Guarded())
    private let now: @Sendable () -> Duration

    /// - Parameter now: elapsed time since any fixed origin; defaults to a monotonic clock.
    public init(now: @escaping @Sendable () -> Duration = LatencyRecorder.monotonicNow) {
        self.now = now
    }

    public static let monotonicNow: @Sendable () -> Duration = {
        let origin = ContinuousClock.now
        return { ContinuousClock.now - origin }
    }()

    /// Records one finished request.
    public func record(source: SourceID, latency: Duration, success: Bool) {
        let micros = UInt64(max(0, latency / .microseconds(1)))
        state.withLock { guarded in
            // The clock is read only to start a series' rate window, not on every request.
            guarded.overall.add(micros, success: success, now: now)
            guarded.bySource[source, default: Series()].add(micros, success: success, now: now)
        }
    }

    public func snapshot(source: SourceID) -> LatencySnapshot? {
        let at = now()
        return state.withLock { guarded in guarded.bySource[source].map { $0.snapshot(at: at) } }
    }

    public func overall() -> LatencySnapshot {
        let at = now()
        return state.withLock { $0.overall.snapshot(at: at) }
    }

    /// Microseconds up to 10 minutes without resizing (and beyond, by resizing).
    public static func makeHistogram() -> Histogram<UInt64> {
        var histogram = Histogram<UInt64>(highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: .three)
        histogram.autoResize = true
        return histogram
    }

    public var sources: [SourceID] {
        state.withLock { $0.bySource.keys.sorted() }
    }
}

extension LatencyRecorder.Series {
    mutating func add(_ micros: UInt64, success: Bool, now: () -> Duration) {
        histogram.record(micros)
        if success { successes += 1 } else { failures += 1 }
        if firstAt == nil { firstAt = now() }
    }

    func snapshot(at: Duration) -> LatencySnapshot {
        let count = successes + failures
        let window = firstAt.map { at - $0 } ?? .zero
        let seconds = window.fractionalSeconds
        let empty = count == 0
        func percentile(_ p: Double) -> Duration { empty ? .zero : .microseconds(Int64(histogram.valueAtPercentile(p))) }
        return LatencySnapshot(
            count: count, successes: successes, failures: failures,
            p50: percentile(50), p95: percentile(95), p99: percentile(99),
            max: empty ? .zero : .microseconds(Int64(histogram.max)),
            requestsPerSecond: seconds > 0 ? Double(count) / seconds : 0
        )
    }
}

/// Latency figures of one source (or all), as reported by `/sources` and `bench`.
public struct LatencySnapshot: Sendable, Hashable {
    public var count: Int
    public var successes: Int
    public var failures: Int
    public var p50: Duration
    public var p95: Duration
    public var p99: Duration
    public var max: Duration
    /// Requests over the time since the first one was recorded.
    public var requestsPerSecond: Double

    /// Fraction of requests that succeeded, 1 when there were none.
    public var successRate: Double { count == 0 ? 1 : Double(successes) / Double(count) }
}
