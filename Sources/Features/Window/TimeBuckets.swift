/// Values kept per stretch of event time (a pane, a bucket), in start order.
///
/// A sorted array rather than a dictionary: events arrive mostly in time order, so the bucket
/// an event belongs to is nearly always the last one (found without hashing), and forgetting
/// the oldest buckets is cutting a prefix.
struct TimeBuckets<Value: Sendable & Codable>: Sendable, Codable {
    private(set) var starts: [Int64] = []
    private(set) var values: [Value] = []

    var isEmpty: Bool { starts.isEmpty }

    /// The position of `start`, or where it would be inserted (searching from the newest end).
    private func position(of start: Int64) -> (index: Int, found: Bool) {
        var index = starts.count
        while index > 0, starts[index - 1] > start { index -= 1 }
        if index > 0, starts[index - 1] == start { return (index - 1, true) }
        return (index, false)
    }

    subscript(start: Int64) -> Value? {
        let (index, found) = position(of: start)
        return found ? values[index] : nil
    }

    /// Changes the value of `start` in place, creating it from `initial` first when it is not there.
    mutating func modify<Result>(_ start: Int64, default initial: @autoclosure () -> Value, _ body: (inout Value) -> Result) -> Result {
        let (index, found) = position(of: start)
        if !found {
            starts.insert(start, at: index)
            values.insert(initial(), at: index)
        }
        return body(&values[index])
    }

    /// Forgets every bucket that starts before `cutoff`.
    mutating func removeAll(before cutoff: Int64) {
        var count = 0
        while count < starts.count, starts[count] < cutoff { count += 1 }
        guard count > 0 else { return }
        starts.removeFirst(count)
        values.removeFirst(count)
    }
}
