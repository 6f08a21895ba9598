import Engine
import Pipeline
import Resilience
import Synchronization
import Testing
import TributaryCore

/// Bucket calls behind the source's guard: throttling and server errors are retried (the
/// throttle pausing the source for the server's Retry-After), failures that another attempt
/// cannot fix are not, and a server that keeps failing opens the breaker.
@Suite struct GuardedBlobSourceTests {
    /// Answers each call with the next scripted outcome (the last one repeats) and counts calls.
    final class Scripted: BlobSource {
        let outcomes: [BlobError?]
        let calls = Mutex(0)
        init(_ outcomes: [BlobError?]) { self.outcomes = outcomes }
        var location: String { "s3://ticks/" }
        func list(startAfter: String?, continuation: String?) async throws -> BlobPage {
            let index = calls.withLock { count in
                count += 1
                return count - 1
            }
            if let error = outcomes[min(index, outcomes.count - 1)] { throw error }
            return BlobPage(objects: [], continuation: nil)
        }
        func read(_ object: BlobObject, range: Range<Int64>) async throws -> [UInt8] { [] }
        var count: Int { calls.withLock { $0 } }
    }

    static func guarded(_ inner: Scripted, attempts: Int = 4) -> GuardedBlobSource<ContinuousClock> {
        var settings = ResilienceSettings()
        settings.retry = RetryPolicy(maxAttempts: attempts, backoff: Backoff(base: .milliseconds(1), cap: .milliseconds(5)))
        settings.retryBudgetFloorPerSecond = 100
        let guardian = SourceGuard(source: "s3-\(UInt64.random(in: 0...UInt64.max))", settings: settings, clock: ContinuousClock())
        return GuardedBlobSource(inner, guardian: guardian, clock: ContinuousClock())
    }

    static let slowDown = BlobError(.throttled, location: "s3://ticks/", "SlowDown", retryAfterSeconds: 0.01)
    static let serverError = BlobError(.unavailable, location: "s3://ticks/", "InternalError")

    @Test func throttlingIsWaitedOutAndRetried() async throws {
        let inner = Scripted([Self.slowDown, Self.serverError, nil])
        let source = Self.guarded(inner)
        _ = try await source.list(startAfter: nil, continuation: nil)
        #expect(inner.count == 3)
        #expect(source.guardian.status.throttles == 1)
    }

    @Test(arguments: [BlobError.Code.accessDenied, .noSuchBucket, .expiredToken, .invalidCredentials, .changed, .invalidResponse])
    func failuresAnotherAttemptCannotFixAreNotRetried(_ code: BlobError.Code) async throws {
        let inner = Scripted([BlobError(code, location: "s3://ticks/", "no")])
        await #expect(throws: BlobError.self) { try await Self.guarded(inner).list(startAfter: nil, continuation: nil) }
        #expect(inner.count == 1)
    }

    @Test func attemptsAreBounded() async throws {
        let inner = Scripted([Self.serverError])
        await #expect(throws: BlobError.self) { try await Self.guarded(inner, attempts: 3).list(startAfter: nil, continuation: nil) }
        #expect(inner.count == 3)
    }

    @Test func aServerThatKeepsFailingOpensTheBreaker() async throws {
        let inner = Scripted([Self.serverError])
        let source = Self.guarded(inner, attempts: 1)
        var refused: ResilienceError?
        for _ in 0..<50 where refused == nil {
            do { _ = try await source.list(startAfter: nil, continuation: nil) } catch let error as ResilienceError { refused = error } catch {}
        }
        #expect(refused?.code == .circuitOpen)
        #expect(source.guardian.status.state == "open")
        let calls = inner.count
        await #expect(throws: ResilienceError.self) { try await source.list(startAfter: nil, continuation: nil) }
        #expect(inner.count == calls)
    }
}
