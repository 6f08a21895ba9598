/// Caps retries at a fraction of requests over a sliding window, with a small floor.
///
/// Per-call retry limits alone multiply load during an outage (3 attempts = 3× traffic to a
/// service that is already down). A budget (Finagle, Envoy, Google SRE) allows retries only
/// while they stay under `ratio` of recent requests — plus `minimumPerSecond` so a quiet
/// source can still retry — so an outage costs at most about (1 + ratio)× the normal load.
public struct RetryBudget<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration, Instant: Sendable {
    public let ratio: Double
    public let minimumPerSecond: Double
    public let window: Duration
    /// One bucket per second of the window: (second index, requests, retries).
    private var buckets: [(second: Int64, requests: Int, retries: Int)]
    private var origin: Instant?

    public init(ratio: Double = 0.1, minimumPerSecond: Double = 3, window: Duration = .seconds(10)) {
        precondition(ratio >= 0 && minimumPerSecond >= 0 && window >= .seconds(1), "invalid retry budget")
        self.ratio = ratio
        self.minimumPerSecond = minimumPerSecond
        self.window = window
        self.buckets = Array(repeating: (second: -1, requests: 0, retries: 0), count: Int(window.components.seconds))
    }

    /// A first attempt was sent.
    public mutating func recordRequest(now: Instant) {
        let index = bucketIndex(now)
        buckets[index].requests += 1
    }

    /// Whether one more retry fits the budget at `now`; if so it is counted.
    public mutating func tryRetry(now: Instant) -> Bool {
        let current = second(of: now)
        let live = buckets.filter { $0.second > current - Int64(buckets.count) && $0.second <= current }
        let requests = live.reduce(0) { $0 + $1.requests }
        let retries = live.reduce(0) { $0 + $1.retries }
        let seconds = Double(buckets.count)
        let allowed = ratio * Double(requests) + minimumPerSecond * seconds
        guard Double(retries) + 1 <= allowed else { return false }
        buckets[bucketIndex(now)].retries += 1
        return true
    }

    private func second(of now: Instant) -> Int64 {
        guard let origin else { return 0 }
        return origin.duration(to: now).components.seconds
    }

    private mutating func bucketIndex(_ now: Instant) -> Int {
        if origin == nil { origin = now }
        let s = second(of: now)
        let index = Int(((s % Int64(buckets.count)) + Int64(buckets.count)) % Int64(buckets.count))
        if buckets[index].second != s { buckets[index] = (s, 0, 0) }
        return index
    }
}
