import Pipeline
import Synchronization
import TributaryCore

/// Idempotency keys for the push path (the IETF httpapi Idempotency-Key draft).
///
/// - a key first seen: the request proceeds and its response is kept for the TTL (in the store,
///   so it survives a restart);
/// - the same key with the same body (by SHA-256): the first response is returned again and
///   nothing new is stored;
/// - the same key with a different body: 422;
/// - a key whose first request is still being processed: 409.
///
/// "In flight" lives in memory: after a crash a key that never completed may be used again,
/// which is what a client retrying after a crash needs.
public final class IdempotencyKeys: Sendable {
    public enum Decision: Sendable, Equatable {
        case proceed
        case replay(status: Int, response: [UInt8])
        case differentBody
        case inFlight
    }

    public let store: any IdempotencyStore & WebhookIDStore
    public let ttl: Duration
    private let inFlight = Mutex<Set<String>>([])
    private let calls = Atomic<Int>(0)

    public init(store: any IdempotencyStore & WebhookIDStore, ttl: Duration = .seconds(86_400)) {
        self.store = store
        self.ttl = ttl
    }

    /// Decides what to do with a request carrying `key`; `.proceed` reserves the key until
    /// ``complete(source:key:bodyHash:status:response:now:)`` or ``release(source:key:)``.
    public func begin(source: String, key: String, bodyHash: String, now: Int64) async throws -> Decision {
        // Purging is housekeeping: a failure leaves expired keys (ignored by the lookup) for the next purge.
        if calls.add(1, ordering: .relaxed).oldValue % 1_000 == 999 { _ = try? await store.purgeIdempotencyKeys(now: now) }
        let slot = source + "\u{0}" + key
        let reserved = inFlight.withLock { $0.insert(slot).inserted }
        guard reserved else { return .inFlight }
        do {
            if let done = try await store.idempotentResponse(source: source, key: key, now: now) {
                release(source: source, key: key)
                return done.bodyHash == bodyHash ? .replay(status: done.status, response: done.response) : .differentBody
            }
        } catch {
            release(source: source, key: key)
            throw error
        }
        return .proceed
    }

    /// Keeps the response of a request that ran, and frees the key.
    public func complete(source: String, key: String, bodyHash: String, status: Int, response: [UInt8], now: Int64) async throws {
        defer { release(source: source, key: key) }
        try await store.saveIdempotentResponse(
            source: source, key: key, IdempotentResponse(bodyHash: bodyHash, status: status, response: response),
            now: now, expiresAt: now + ttl.components.seconds)
    }

    /// Frees a key without keeping a response (the request was refused for now: 429, 503).
    public func release(source: String, key: String) {
        _ = inFlight.withLock { $0.remove(source + "\u{0}" + key) }
    }
}
