import CNATS
import Synchronization
import Testing
import TributaryTesting

@testable import BusNATS

/// JetStream's set-up calls are asked again while the bus answers "not now", on a clock the test
/// moves: a sink starting while a cluster elects a leader waits for it instead of exiting.
@Suite struct JetStreamSetupTests {
    /// An attempt that fails with each of `failures` in turn, then returns its attempt number.
    final class Script: Sendable {
        let failures: [NATSError]
        let attempts = Mutex(0)
        init(_ failures: [NATSError]) { self.failures = failures }
        func attempt() throws -> Int {
            let number = attempts.withLock { count -> Int in
                count += 1
                return count
            }
            if number <= failures.count { throw failures[number - 1] }
            return number
        }
    }

    static let timeout = NATSError("create consumer", NATS_TIMEOUT)

    @Test func whatSaysNotNowIsTransientAndNothingElseIs() {
        #expect(NATSError("x", NATS_TIMEOUT).isTransient)
        #expect(NATSError("x", NATS_NO_RESPONDERS).isTransient)
        #expect(NATSError("x", NATS_ERR, jetStreamCode: JSClusterNotAvailErr).isTransient)
        #expect(!NATSError("x", NATS_NOT_FOUND).isTransient)
        #expect(!NATSError("x", NATS_ERR, jetStreamCode: JSStreamNameExistErr).isTransient)
        #expect(!NATSError("x", NATS_INVALID_ARG).isTransient)
    }

    @Test func timeoutsAreAskedAgainAfterGrowingPauses() async throws {
        let clock = ManualClock()
        let script = Script([Self.timeout, Self.timeout, Self.timeout])
        let task = Task { try await JetStreamSetup.retrying(clock: clock) { try script.attempt() } }
        for pause in [250, 500, 1_000] {
            await clock.waitForSleepers(1)
            clock.advance(by: .milliseconds(pause - 1))
            #expect(clock.sleeperCount == 1, "asked again before the \(pause) ms pause was over")
            clock.advance(by: .milliseconds(1))
        }
        #expect(try await task.value == 4)
        #expect(clock.now.offset == .milliseconds(1_750))
    }

    @Test func anErrorThatIsNotTransientIsThrownAtOnce() async throws {
        let clock = ManualClock()
        let refused = NATSError("create stream TRIBUTARY", NATS_ERR, jetStreamCode: JSStreamNameExistErr)
        let script = Script([refused])
        await #expect(throws: NATSError.self) { try await JetStreamSetup.retrying(clock: clock) { try script.attempt() } }
        #expect(script.attempts.withLock { $0 } == 1)
        #expect(clock.now.offset == .zero)
    }

    @Test func itGivesUpWithTheLastErrorOnceTheBudgetIsSpent() async throws {
        let clock = ManualClock()
        let script = Script(Array(repeating: Self.timeout, count: 1_000))
        let task = Task { try await JetStreamSetup.retrying(budget: .seconds(10), clock: clock) { try script.attempt() } }
        // Pauses 0.25 + 0.5 + 1 + 2 + 4 s = 7.75 s; the next (4 s) would pass the 10 s budget.
        for pause in [250, 500, 1_000, 2_000, 4_000] {
            await clock.waitForSleepers(1)
            clock.advance(by: .milliseconds(pause))
        }
        do {
            _ = try await task.value
            Issue.record("set-up succeeded although every attempt timed out")
        } catch let error as NATSError {
            #expect(error.operation == "create consumer")
            #expect(error.status.contains("still failing after 6 attempts in 10 s"), "\(error)")
        }
        #expect(script.attempts.withLock { $0 } == 6)
    }

    @Test func cancellingTheWaitStopsAsking() async throws {
        let clock = ManualClock()
        let script = Script(Array(repeating: Self.timeout, count: 1_000))
        let task = Task { try await JetStreamSetup.retrying(clock: clock) { try script.attempt() } }
        await clock.waitForSleepers(1)
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(script.attempts.withLock { $0 } == 1)
    }
}
