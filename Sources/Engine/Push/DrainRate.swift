import Synchronization
import TributaryCore

/// How fast the sink empties the buffer, for the Retry-After of a 429: the time the records
/// already waiting need to drain, so a well-behaved client comes back when there is room.
final class DrainRate: Sendable {
    private let buffer: NormalizationBuffer<Envelope>
    /// (time, delivered) a second or so ago, and the last rate seen.
    private let sample = Mutex<(at: ContinuousClock.Instant, delivered: Int, perSecond: Double)>((ContinuousClock.now, 0, 0))

    init(buffer: NormalizationBuffer<Envelope>) {
        self.buffer = buffer
    }

    /// Seconds until the current depth has drained at the recent rate: 1…60.
    func retryAfterSeconds() -> Int {
        let stats = buffer.stats
        let now = ContinuousClock.now
        let rate = sample.withLock { sample -> Double in
            let elapsed = sample.at.duration(to: now)
            if elapsed >= .milliseconds(500) {
                let seconds = elapsed.fractionalSeconds
                sample.perSecond = Double(stats.counters.delivered - sample.delivered) / seconds
                sample.at = now
                sample.delivered = stats.counters.delivered
            }
            return sample.perSecond
        }
        guard rate > 0 else { return 1 }
        return min(60, max(1, Int((Double(stats.depth) / rate).rounded(.up))))
    }
}
