import TributaryCore

/// How one source is doing, in the words `/sources`, the summary line, `/metrics` and the
/// dashboard share: is it failing, is its data stale, and one word for people.
///
/// A pure function of what the engine recorded, so the rules are tested without a clock:
/// - failing: its last poll failed, or it has polled and never succeeded;
/// - stale: its newest `as_of` is older than its threshold — or it has delivered nothing at
///   all for that long since the engine started (a source that never delivers must alert,
///   not look fresh forever);
/// - `word`: the breaker state when it is not `closed` (open, half-open, paused), else
///   `failing`, `stale` or `ok`.
public struct SourceCondition: Sendable, Hashable {
    public var failing: Bool
    public var stale: Bool
    public var word: String

    public init(activity: SourceActivity.Entry, breakerState: String, startedAt: UTCTimestamp, now: UTCTimestamp, staleAfter: Duration) {
        if let errorAt = activity.lastErrorAt {
            failing = activity.lastSuccessAt.map { errorAt >= $0 } ?? true
        } else {
            failing = false
        }
        if let age = activity.age(at: now) {
            stale = age > staleAfter
        } else {
            stale = now.duration(since: startedAt) > staleAfter
        }
        word = breakerState != "closed" ? breakerState : failing ? "failing" : stale ? "stale" : "ok"
    }
}
