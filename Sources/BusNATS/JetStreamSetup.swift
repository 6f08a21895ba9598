/// Retries JetStream's set-up calls — look up or create the stream, the durable consumer, the
/// lease bucket — while they fail transiently.
///
/// Each call waits up to the request wait (5 s) for an answer. A cluster that is electing the
/// new group's leader, or a machine too busy to answer in time, makes that a timeout although
/// the next try succeeds; a sink or `run --bus` starting then must wait for the bus, as it waits
/// for a bus that is down, not exit. The calls are idempotent (each looks up before it creates),
/// so trying again is safe. Anything else (a bad configuration, a refused name) fails at once.
enum JetStreamSetup {
    /// How long set-up keeps trying before it gives up with the last error.
    static let budget: Duration = .seconds(120)

    /// Runs `attempt` until it succeeds, fails with an error that is not transient, or
    /// `budget` has passed on `clock` — pausing 250 ms after the first failure, doubling to 4 s.
    static func retrying<T: Sendable, C: Clock<Duration>>(
        budget: Duration = budget, clock: C = ContinuousClock(), _ attempt: () async throws -> T
    ) async throws -> T {
        let deadline = clock.now.advanced(by: budget)
        var pause: Duration = .milliseconds(250)
        var attempts = 0
        while true {
            attempts += 1
            do {
                return try await attempt()
            } catch let error as NATSError where error.isTransient {
                guard clock.now.advanced(by: pause) < deadline else {
                    var last = error
                    last.status += " (still failing after \(attempts) attempts in \(budget.components.seconds) s)"
                    throw last
                }
                try await clock.sleep(for: pause)
                pause = min(pause * 2, .seconds(4))
            }
        }
    }
}
