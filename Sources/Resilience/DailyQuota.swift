/// A provider's calls-per-day allowance (Alpha Vantage: 25 a day; NewsAPI's daily cap).
///
/// Counts calls in the current UTC day; when the allowance is spent, the source pauses until
/// the next UTC midnight and then resumes by itself. An upstream that reports its quota spent
/// (a 200 "Information" body, a 429 saying "daily") marks it exhausted early.
public struct DailyQuota: Sendable, Hashable {
    public let limit: Int
    public private(set) var used = 0
    private var day: Int64 = .min

    public init(limit: Int) {
        precondition(limit > 0, "a daily quota needs a positive limit")
        self.limit = limit
    }

    /// Takes one call at `unixSeconds`; false when today's allowance is spent.
    public mutating func tryTake(unixSeconds: Int64) -> Bool {
        roll(unixSeconds)
        guard used < limit else { return false }
        used += 1
        return true
    }

    /// The upstream says the allowance is gone before our own count did.
    public mutating func markExhausted(unixSeconds: Int64) {
        roll(unixSeconds)
        used = limit
    }

    /// Seconds since the epoch of the next reset (UTC midnight after `unixSeconds`).
    public func resetsAt(after unixSeconds: Int64) -> Int64 {
        Self.nextUTCMidnight(after: unixSeconds)
    }

    /// The UTC midnight following `unixSeconds`, when daily allowances reset.
    public static func nextUTCMidnight(after unixSeconds: Int64) -> Int64 {
        (dayNumber(unixSeconds) + 1) * 86_400
    }

    public func remaining(at unixSeconds: Int64) -> Int {
        Self.dayNumber(unixSeconds) == day ? max(0, limit - used) : limit
    }

    private mutating func roll(_ unixSeconds: Int64) {
        let today = Self.dayNumber(unixSeconds)
        if today != day {
            day = today
            used = 0
        }
    }

    static func dayNumber(_ unixSeconds: Int64) -> Int64 {
        unixSeconds >= 0 ? unixSeconds / 86_400 : (unixSeconds - 86_399) / 86_400
    }
}
