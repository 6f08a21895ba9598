import TributaryCore

/// Bars that should exist and do not: from the first missing bar's start to the last one's,
/// with why. Written to the store's `gaps` table and counted, so a hole in a series is data a
/// user can query rather than a silence they discover later.
public struct Gap: Sendable, Hashable {
    public var source: SourceID
    public var symbol: String
    public var interval: String
    /// Start of the first missing bar.
    public var from: UTCTimestamp
    /// Start of the last missing bar.
    public var to: UTCTimestamp
    /// `upstream empty`, `throttled`, `breaker open` or `upstream error`.
    public var reason: String

    public init(source: SourceID, symbol: String, interval: String, from: UTCTimestamp, to: UTCTimestamp, reason: String) {
        self.source = source
        self.symbol = symbol
        self.interval = interval
        self.from = from
        self.to = to
        self.reason = reason
    }

    /// How many bars are missing, given the interval's length (at least 1; computed in 128 bits,
    /// so a span across the whole time range cannot overflow).
    public func missingBars(step: Duration) -> Int {
        let span = Int128(to.nanosecondsSinceEpoch) - Int128(from.nanosecondsSinceEpoch)
        let count = span / Int128(max(1, step.nanosecondsCount)) + 1
        return Int(clamping: max(1, count))
    }
}
