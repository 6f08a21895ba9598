import Pipeline
import Synchronization

/// A lease bucket in memory on a ``ManualClock``: an entry lives `ttl` after its last write, as
/// in a NATS KV bucket with that TTL, so lease hand-overs, expiry and races are tested without
/// sleeping. `reachable` false makes every call fail, as a bus that is down.
public final class InMemoryLeaseStore: LeaseStore, Sendable {
    public struct Unreachable: Error, CustomStringConvertible {
        public init() {}
        public var description: String { "the lease bucket cannot be reached" }
    }

    private struct Stored {
        var value: String
        var revision: UInt64
        var writtenAt: ManualClock.Instant
    }

    private struct State {
        var entries: [String: Stored] = [:]
        var revision: UInt64 = 0
        var reachable = true
        var writes = 0
    }

    public let ttl: Duration
    private let clock: ManualClock
    private let state = Mutex(State())

    public init(ttl: Duration, clock: ManualClock) {
        self.ttl = ttl
        self.clock = clock
    }

    /// Whether calls succeed (false: every call throws ``Unreachable``).
    public var reachable: Bool {
        get { state.withLock { $0.reachable } }
        set { state.withLock { $0.reachable = newValue } }
    }

    /// Successful writes so far.
    public var writes: Int { state.withLock { $0.writes } }

    private func live<T>(_ body: (inout State, ManualClock.Instant) throws -> T) throws -> T {
        let now = clock.now
        return try state.withLock { state in
            guard state.reachable else { throw Unreachable() }
            state.entries = state.entries.filter { now < $0.value.writtenAt.advanced(by: ttl) }
            return try body(&state, now)
        }
    }

    public func entries() async throws -> [String: LeaseEntry] {
        try live { state, _ in state.entries.mapValues { LeaseEntry(value: $0.value, revision: $0.revision) } }
    }

    public func create(_ key: String, value: String) async throws -> UInt64? {
        try live { state, now in
            guard state.entries[key] == nil else { return nil }
            return Self.write(key, value, &state, now)
        }
    }

    public func update(_ key: String, value: String, revision: UInt64) async throws -> UInt64? {
        try live { state, now in
            guard state.entries[key]?.revision == revision else { return nil }
            return Self.write(key, value, &state, now)
        }
    }

    public func put(_ key: String, value: String) async throws {
        try live { state, now in _ = Self.write(key, value, &state, now) }
    }

    public func delete(_ key: String) async throws {
        try live { state, _ in state.entries[key] = nil }
    }

    private static func write(_ key: String, _ value: String, _ state: inout State, _ now: ManualClock.Instant) -> UInt64 {
        state.revision += 1
        state.writes += 1
        state.entries[key] = Stored(value: value, revision: state.revision, writtenAt: now)
        return state.revision
    }
}
