import ServiceLifecycle

/// Runs an instance's lease rounds (a third of the TTL apart, so a lease is renewed twice before
/// it could lapse) until a graceful shutdown, then hands its leases back so the other instances
/// take the jobs at their next round rather than after the TTL.
public struct LeaseService: Service {
    public let coordinator: LeaseCoordinator<ContinuousClock>
    public let every: Duration
    /// Told what the instance holds after each round (to split the sources' rate budgets).
    public let afterRound: @Sendable (ClusterView) -> Void

    public init(coordinator: LeaseCoordinator<ContinuousClock>, every: Duration, afterRound: @escaping @Sendable (ClusterView) -> Void = { _ in }) {
        self.coordinator = coordinator
        self.every = every
        self.afterRound = afterRound
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            await coordinator.step()
            afterRound(coordinator.view)
            // A stop does not wait out the interval: the leases are handed back at once.
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: every) }
        }
        await Self.atMost(leaveLimit) { [coordinator] in await coordinator.leave() }
    }

    /// How long a stop waits to hand the leases back: a bus that went away answers each write only
    /// after its timeout, and the leases lapse by themselves anyway (the 30-second drain of a run
    /// whose bus was down overran its deadline waiting here).
    public var leaveLimit: Duration = .seconds(2)

    /// Runs `work` in a task of its own and returns when it ends or `limit` has passed, whichever
    /// comes first (the work goes on in the background: a blocking client call cannot be cancelled).
    static func atMost(_ limit: Duration, _ work: @escaping @Sendable () async -> Void) async {
        let done = AsyncStream<Void>.makeStream()
        Task {
            await work()
            done.continuation.yield()
        }
        let timer = Task {
            try? await Task.sleep(for: limit)
            done.continuation.yield()
        }
        var iterator = done.stream.makeAsyncIterator()
        _ = await iterator.next()
        timer.cancel()
    }

    /// A name for this instance that is a valid bucket key: `bus.instance` or host and process id,
    /// anything but letters, digits, `_` and `-` turned into `-`.
    public static func instanceName(_ configured: String?, host: String, pid: Int32) -> String {
        let raw = (configured?.isEmpty == false ? configured! : "\(host)-\(pid)")
        let cleaned = String(
            raw.unicodeScalars.map { scalar -> Character in
                scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "_" || scalar == "-")
                    ? Character(scalar) : "-"
            })
        return String(cleaned.prefix(64))
    }
}
