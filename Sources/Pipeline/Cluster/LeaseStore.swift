/// A key-value bucket with revisions and an age limit, where instances of a cluster hold leases
/// on poll jobs and announce themselves (NATS JetStream KV in production, memory in tests).
///
/// Every write is a new revision; an entry not written again within the bucket's TTL is gone.
/// `create` succeeds only for an absent key and `update` only at the revision the caller read,
/// so two instances can never both believe a write of theirs won the same lease.
public protocol LeaseStore: Sendable {
    /// Every live entry, by key.
    func entries() async throws -> [String: LeaseEntry]
    /// Writes `value` under an absent key: its revision, or nil when the key exists.
    func create(_ key: String, value: String) async throws -> UInt64?
    /// Writes `value` if the key is still at `revision`: the new revision, or nil when it moved on (or is gone).
    func update(_ key: String, value: String, revision: UInt64) async throws -> UInt64?
    /// Writes `value` whatever is there (an instance's own heartbeat).
    func put(_ key: String, value: String) async throws
    /// Removes the key (a lease handed back, an instance leaving).
    func delete(_ key: String) async throws
    /// How long an entry lives without being written again.
    var ttl: Duration { get }
}

/// One entry of a ``LeaseStore``: its value and the revision that wrote it.
public struct LeaseEntry: Sendable, Hashable {
    public var value: String
    public var revision: UInt64

    public init(value: String, revision: UInt64) {
        self.value = value
        self.revision = revision
    }
}
