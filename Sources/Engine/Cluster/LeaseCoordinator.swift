import Logging
import Pipeline
import Synchronization
import TributaryCore

/// This instance's side of sharing the poll jobs: each round it announces itself in the lease
/// bucket, reads the leases and live instances, and renews, hands back and claims leases as
/// ``LeaseBalancer`` plans. The scheduler polls a job only while ``owns(_:)`` says so.
///
/// A lease counts as held until 90 % of the bucket's TTL after the write that took or renewed
/// it *began* (the server's copy expires a TTL after it wrote, which is later), so an instance
/// cut off from the bus stops polling before any other instance can take its jobs: one job is
/// never polled by two instances. When it cannot reach the bus it keeps what is still valid,
/// says why, and tries again next round.
public final class LeaseCoordinator<C: Clock>: Sendable where C.Duration == Duration, C.Instant: Sendable {
    public let instance: String
    /// The job keys this instance can poll (``IngestionEngine/jobKey(_:_:)``).
    public let jobs: [String]
    private let store: any LeaseStore
    private let clock: C
    private let logger: Logger?
    /// What travels with a held job's lease (its newest bars), written at each renewal.
    private let progress: @Sendable (String) -> JSONValue?
    /// Called when this instance takes a job over, with what its last holder wrote.
    private let onTakeOver: @Sendable (String, JSONValue?) -> Void

    private struct State {
        /// Held jobs, each until when it counts as held.
        var held: [String: C.Instant] = [:]
        /// The bucket revision of each held lease as this instance last wrote it (to hand it back).
        var revisions: [String: UInt64] = [:]
        var owners: [String: String] = [:]
        var instances: [String] = []
        var lastError: String?
        var rounds = 0
        /// Per job, the progress its holder last wrote (kept after the lease lapses: a dead
        /// holder's last word is what the instance that takes over needs).
        var lastProgress: [String: (owner: String, progress: JSONValue)] = [:]
    }

    private let state = Mutex(State())

    public init(
        instance: String, jobs: [String], store: any LeaseStore, clock: C, logger: Logger? = nil,
        progress: @escaping @Sendable (String) -> JSONValue? = { _ in nil },
        onTakeOver: @escaping @Sendable (String, JSONValue?) -> Void = { _, _ in }
    ) {
        self.instance = instance
        self.jobs = jobs
        self.store = store
        self.clock = clock
        self.logger = logger
        self.progress = progress
        self.onTakeOver = onTakeOver
    }

    /// The bucket key of a job's lease: `job.` and 32 hex digits of the job key's SHA-256 (keys
    /// allow few characters, and a job key holds any symbol or parameter).
    public static func leaseKey(_ job: String) -> String {
        "job." + ContentHash.of(bytes: Array(job.utf8)).dropFirst(7).prefix(32)
    }

    public static func instanceKey(_ instance: String) -> String { "instance." + instance }

    /// One round: announce, read, plan, write. Never throws: a bus that cannot be reached is said
    /// (``ClusterView/lastError``) and the leases still valid are kept until they run out.
    public func step() async {
        let began = clock.now
        let validUntil = began.advanced(by: store.ttl * 0.9)
        do {
            let mine = state.withLock { $0.held.count }
            try await store.put(Self.instanceKey(instance), value: Self.instanceValue(instance, jobs: mine))
            let (holders, instances, seen, released) = Self.read(try await store.entries())
            state.withLock { state in for (job, said) in seen { state.lastProgress[job] = said } }
            let plan = LeaseBalancer.plan(me: instance, jobs: jobs, holders: holders, instances: Set(instances))
            var owners = holders.mapValues(\.owner)
            var held: [String: C.Instant] = [:]
            var revisions: [String: UInt64] = [:]
            let value = Self.leaseValue(instance, progress: progress)
            for lease in plan.renew {
                if let revision = try await store.update(Self.leaseKey(lease.job), value: value(lease.job), revision: lease.revision) {
                    held[lease.job] = validUntil
                    revisions[lease.job] = revision
                } else {
                    owners[lease.job] = nil
                }
            }
            for lease in plan.release {
                // Handed back with this instance's last word, so whoever claims it next knows
                // where the job's bars ended (a deleted lease would take that with it).
                _ = try await store.update(
                    Self.leaseKey(lease.job), value: Self.releasedValue(instance, job: lease.job, progress: progress), revision: lease.revision)
                owners[lease.job] = nil
            }
            for job in plan.claim {
                let key = Self.leaseKey(job)
                let taken: UInt64?
                if let revision = released[job] {
                    taken = try await store.update(key, value: value(job), revision: revision)
                } else {
                    taken = try await store.create(key, value: value(job))
                }
                if let taken {
                    held[job] = validUntil
                    revisions[job] = taken
                    owners[job] = instance
                    // Taken from another instance: hand its last word to the engine (gap check).
                    let last = state.withLock { $0.lastProgress[job] }
                    if let last, last.owner != instance { onTakeOver(job, last.progress) }
                }
            }
            if !plan.claim.isEmpty || !plan.release.isEmpty {
                logger?.info(
                    "poll jobs rebalanced",
                    metadata: [
                        "instance": "\(instance)", "held": "\(held.count)", "released": "\(plan.release.count)",
                        "instances": "\(Set(instances).union([instance]).count)",
                    ])
            }
            state.withLock {
                $0.held = held
                $0.revisions = revisions
                $0.owners = owners
                $0.instances = Array(Set(instances).union([instance])).sorted()
                $0.lastError = nil
                $0.rounds += 1
            }
        } catch {
            logger?.warning("poll-job leases not renewed: the lease bucket cannot be reached", metadata: ["error": "\(error)"])
            state.withLock {
                $0.lastError = "\(error)"
                $0.rounds += 1
            }
        }
    }

    /// Whether this instance holds the job's lease now.
    public func owns(_ job: String) -> Bool {
        let now = clock.now
        return state.withLock { $0.held[job].map { now < $0 } ?? false }
    }

    /// Hands every lease back and leaves the instance list (a graceful stop: the others take the
    /// jobs at their next round instead of after the TTL).
    ///
    /// After a round that could not reach the bus it only forgets them (they lapse by themselves):
    /// a stop must not wait on a bus that does not answer.
    public func leave() async {
        let (held, revisions, reachable) = state.withLock { state in
            defer {
                state.held = [:]
                state.revisions = [:]
            }
            return (Array(state.held.keys), state.revisions, state.lastError == nil)
        }
        guard reachable else { return }
        // Best effort: a lease not handed back lapses by itself after the TTL.
        for job in held {
            if let revision = revisions[job] {
                _ = try? await store.update(Self.leaseKey(job), value: Self.releasedValue(instance, job: job, progress: progress), revision: revision)
            } else {
                try? await store.delete(Self.leaseKey(job))
            }
        }
        try? await store.delete(Self.instanceKey(instance))
    }

    /// What this instance last saw of the cluster.
    public var view: ClusterView {
        let now = clock.now
        return state.withLock { state in
            ClusterView(
                instance: instance, instances: state.instances, owners: state.owners,
                held: Set(state.held.filter { now < $0.value }.keys), lastError: state.lastError, rounds: state.rounds)
        }
    }

    /// Leases by job, live instances, what each lease's holder wrote about its job (its
    /// `progress`), and the leases handed back (free, with their revision to claim them at),
    /// from the bucket's entries — each value decoded once. An entry that is not ours to read
    /// (another program's key, a value that is not a lease) is left alone.
    public static func read(_ entries: [String: LeaseEntry]) -> (
        holders: [String: LeaseBalancer.Holder], instances: [String], progress: [String: (owner: String, progress: JSONValue)],
        released: [String: UInt64]
    ) {
        var holders: [String: LeaseBalancer.Holder] = [:]
        var instances: [String] = []
        var progress: [String: (owner: String, progress: JSONValue)] = [:]
        var released: [String: UInt64] = [:]
        for (key, entry) in entries {
            if key.hasPrefix("instance.") {
                instances.append(String(key.dropFirst("instance.".count)))
            } else if key.hasPrefix("job."), case .object(let object)? = try? JSONParser.parse(Array(entry.value.utf8)),
                let job = object["job"]?.stringValue, let owner = object["owner"]?.stringValue, leaseKey(job) == key
            {
                if owner.isEmpty {
                    // Handed back: free to claim; its last holder's word still counts.
                    released[job] = entry.revision
                    if let said = object["progress"], let by = object["released_by"]?.stringValue { progress[job] = (by, said) }
                    continue
                }
                holders[job] = LeaseBalancer.Holder(owner: owner, revision: entry.revision)
                if let said = object["progress"] { progress[job] = (owner, said) }
            }
        }
        return (holders, instances, progress, released)
    }

    /// A lease handed back: no owner, who released it, and its progress then.
    static func releasedValue(_ instance: String, job: String, progress: @Sendable (String) -> JSONValue?) -> String {
        var members: [(key: String, value: JSONValue)] = [("owner", .string("")), ("job", .string(job)), ("released_by", .string(instance))]
        if let said = progress(job) { members.append(("progress", said)) }
        return JSONWriter.string(.object(JSONObject(members)))
    }

    static func leaseValue(_ instance: String, progress: @escaping @Sendable (String) -> JSONValue?) -> (String) -> String {
        { job in
            var members: [(key: String, value: JSONValue)] = [("owner", .string(instance)), ("job", .string(job))]
            if let said = progress(job) { members.append(("progress", said)) }
            return JSONWriter.string(.object(JSONObject(members)))
        }
    }

    static func instanceValue(_ instance: String, jobs: Int) -> String {
        JSONWriter.string(.object(JSONObject([("instance", .string(instance)), ("jobs", .number(String(jobs)))])))
    }
}

/// What an instance last saw of the cluster (for `/sources`, `/cluster` and `cluster status`).
public struct ClusterView: Sendable, Hashable {
    public var instance: String
    public var instances: [String]
    /// Job key → owning instance.
    public var owners: [String: String]
    /// The jobs this instance holds now.
    public var held: Set<String>
    public var lastError: String?
    public var rounds: Int
}
