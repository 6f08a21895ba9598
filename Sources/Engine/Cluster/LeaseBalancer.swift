/// Which poll-job leases an instance should renew, hand back and claim: a pure function of what
/// the lease bucket holds and which instances are alive.
///
/// Each live instance aims at its fair share, ⌈jobs ÷ instances⌉. It renews the leases it holds
/// up to that share and hands back the rest (an instance that started first holds every job
/// until the others announce themselves); it claims free jobs while under its share. Instances
/// prefer different jobs (a rendezvous hash of instance and job orders both the claims and the
/// hand-backs), so they rarely race for the same key — and when they do, the bucket's
/// create-if-absent lets exactly one win. No instance ends up with more than the fair share once
/// every live instance has taken a step.
public enum LeaseBalancer {
    /// A lease as the bucket holds it.
    public struct Holder: Sendable, Hashable {
        public var owner: String
        public var revision: UInt64
        public init(owner: String, revision: UInt64) {
            self.owner = owner
            self.revision = revision
        }
    }

    /// What one step does.
    public struct Plan: Sendable, Hashable {
        /// Leases held and kept: written again at their revision.
        public var renew: [Lease] = []
        /// Leases held beyond the fair share: handed back.
        public var release: [Lease] = []
        /// Free jobs to try to take.
        public var claim: [String] = []
    }

    public struct Lease: Sendable, Hashable {
        public var job: String
        public var revision: UInt64
    }

    /// ⌈jobs ÷ instances⌉.
    public static func fairShare(jobs: Int, instances: Int) -> Int {
        guard jobs > 0 else { return 0 }
        let count = max(1, instances)
        return (jobs + count - 1) / count
    }

    /// - Parameters:
    ///   - me: this instance.
    ///   - jobs: the poll jobs this instance can run (their keys).
    ///   - holders: the leases in the bucket, by job key.
    ///   - instances: the live instances (this one is counted whether listed or not).
    public static func plan(me: String, jobs: [String], holders: [String: Holder], instances: Set<String>) -> Plan {
        let share = fairShare(jobs: jobs.count, instances: instances.union([me]).count)
        let mine = jobs.filter { holders[$0]?.owner == me }.sorted { weight(me, $0) > weight(me, $1) }
        var plan = Plan()
        for (index, job) in mine.enumerated() {
            let lease = Lease(job: job, revision: holders[job]!.revision)
            if index < share { plan.renew.append(lease) } else { plan.release.append(lease) }
        }
        let free = jobs.filter { holders[$0] == nil }.sorted { weight(me, $0) > weight(me, $1) }
        plan.claim = Array(free.prefix(max(0, share - plan.renew.count)))
        return plan
    }

    /// A stable pseudo-random weight of (instance, job): 64-bit FNV-1a over both, then mixed.
    static func weight(_ instance: String, _ job: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in instance.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        hash = (hash ^ 0xFF) &* 0x100_0000_01b3
        for byte in job.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        // A final avalanche, so keys that differ in their last byte do not sort together.
        hash ^= hash >> 33
        hash = hash &* 0xff51_afd7_ed55_8ccd
        hash ^= hash >> 33
        return hash
    }
}
