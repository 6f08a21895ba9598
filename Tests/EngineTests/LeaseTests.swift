import Engine
import Pipeline
import Synchronization
import Testing
import TributaryCore
import TributaryTesting

/// Sharing the poll jobs through leases: the plan alone, then instances on an in-memory bucket
/// and a manual clock — balance, death, partition and graceful leave, never two owners at once.
@Suite struct LeaseTests {
    static let jobs = (1...10).map { "binance|klines|SYM\($0)|interval=1m" }

    @Test func theFairShareIsTheCeilingOfJobsOverInstances() {
        #expect(LeaseBalancer.fairShare(jobs: 10, instances: 3) == 4)
        #expect(LeaseBalancer.fairShare(jobs: 9, instances: 3) == 3)
        #expect(LeaseBalancer.fairShare(jobs: 0, instances: 3) == 0)
        #expect(LeaseBalancer.fairShare(jobs: 5, instances: 0) == 5)
    }

    @Test func aLoneInstanceClaimsEveryJobAndHandsBackWhenOthersArrive() {
        let first = LeaseBalancer.plan(me: "a", jobs: Self.jobs, holders: [:], instances: [])
        #expect(first.claim.count == 10 && first.renew.isEmpty && first.release.isEmpty)
        let holders = Dictionary(uniqueKeysWithValues: Self.jobs.enumerated().map { ($1, LeaseBalancer.Holder(owner: "a", revision: UInt64($0 + 1))) })
        let crowded = LeaseBalancer.plan(me: "a", jobs: Self.jobs, holders: holders, instances: ["a", "b", "c"])
        #expect(crowded.renew.count == 4 && crowded.release.count == 6 && crowded.claim.isEmpty)
        #expect(Set(crowded.renew.map(\.job)).isDisjoint(with: crowded.release.map(\.job)))
        // Another instance sees nothing free: it waits for the hand-back.
        #expect(LeaseBalancer.plan(me: "b", jobs: Self.jobs, holders: holders, instances: ["a", "b", "c"]).claim.isEmpty)
    }

    @Test func instancesPreferDifferentJobs() {
        let a = LeaseBalancer.plan(me: "a", jobs: Self.jobs, holders: [:], instances: ["a", "b", "c"]).claim
        let b = LeaseBalancer.plan(me: "b", jobs: Self.jobs, holders: [:], instances: ["a", "b", "c"]).claim
        #expect(a.count == 4 && b.count == 4)
        #expect(Set(a) != Set(b))
    }

    /// A lease bucket one instance can be cut off from.
    final class Link: LeaseStore, Sendable {
        let bucket: InMemoryLeaseStore
        private let cut = Mutex(false)
        init(_ bucket: InMemoryLeaseStore) { self.bucket = bucket }
        var isCut: Bool {
            get { cut.withLock { $0 } }
            set { cut.withLock { $0 = newValue } }
        }
        var ttl: Duration { bucket.ttl }
        private func check() throws { if isCut { throw InMemoryLeaseStore.Unreachable() } }
        func entries() async throws -> [String: LeaseEntry] { try check(); return try await bucket.entries() }
        func create(_ key: String, value: String) async throws -> UInt64? { try check(); return try await bucket.create(key, value: value) }
        func update(_ key: String, value: String, revision: UInt64) async throws -> UInt64? {
            try check(); return try await bucket.update(key, value: value, revision: revision)
        }
        func put(_ key: String, value: String) async throws { try check(); try await bucket.put(key, value: value) }
        func delete(_ key: String) async throws { try check(); try await bucket.delete(key) }
    }

    struct Cluster {
        let clock = ManualClock()
        let bucket: InMemoryLeaseStore
        var links: [String: Link] = [:]
        var members: [String: LeaseCoordinator<ManualClock>] = [:]

        init(_ names: [String], ttl: Duration = .seconds(9)) {
            bucket = InMemoryLeaseStore(ttl: ttl, clock: clock)
            for name in names {
                let link = Link(bucket)
                links[name] = link
                members[name] = LeaseCoordinator(instance: name, jobs: LeaseTests.jobs, store: link, clock: clock)
            }
        }

        /// Owners of each job right now, by the instances' own view (what their schedulers obey).
        func owners() -> [String: [String]] {
            var result: [String: [String]] = [:]
            for job in LeaseTests.jobs { result[job] = members.keys.sorted().filter { members[$0]!.owns(job) } }
            return result
        }

        /// Steps the given instances once each, `every` apart, checking at each instant that no
        /// job has two owners.
        func round(_ names: [String], every: Duration = .seconds(3)) async {
            for name in names {
                await members[name]!.step()
                for (job, owners) in owners() { #expect(owners.count <= 1, "\(job) owned by \(owners)") }
            }
            clock.advance(by: every)
            for (job, owners) in owners() { #expect(owners.count <= 1, "\(job) owned by \(owners)") }
        }
    }

    @Test func threeInstancesSplitTheJobsAndEachJobHasOneOwner() async {
        let cluster = Cluster(["a", "b", "c"])
        for _ in 0..<4 { await cluster.round(["a", "b", "c"]) }
        let owners = cluster.owners()
        #expect(owners.values.allSatisfy { $0.count == 1 }, "\(owners)")
        let counts = ["a", "b", "c"].map { name in owners.values.filter { $0 == [name] }.count }
        #expect(counts.max()! <= LeaseBalancer.fairShare(jobs: 10, instances: 3), "\(counts)")
        #expect(counts.allSatisfy { $0 >= 2 }, "\(counts)")
    }

    @Test func theFirstInstanceHandsJobsBackAsOthersJoin() async {
        let cluster = Cluster(["a", "b", "c"])
        await cluster.round(["a"])
        #expect(cluster.owners().values.allSatisfy { $0 == ["a"] })
        for _ in 0..<3 { await cluster.round(["a", "b", "c"]) }
        let owners = cluster.owners()
        #expect(owners.values.allSatisfy { $0.count == 1 })
        #expect(owners.values.filter { $0 == ["a"] }.count <= 4)
    }

    @Test func aDeadInstancesJobsAreTakenWithinTheTTLPlusARound() async {
        let cluster = Cluster(["a", "b", "c"])
        for _ in 0..<4 { await cluster.round(["a", "b", "c"]) }
        let orphaned = cluster.owners().filter { $0.value == ["c"] }.map(\.key)
        #expect(!orphaned.isEmpty)
        // c stops (kill -9): it never steps again. The TTL is 9 s, a round 3 s.
        var waited: Duration = .zero
        while waited <= .seconds(12), !orphaned.allSatisfy({ cluster.owners()[$0]!.count == 1 && cluster.owners()[$0] != ["c"] }) {
            await cluster.round(["a", "b"])
            waited += .seconds(3)
        }
        #expect(waited <= .seconds(12), "c's jobs were not taken within TTL + one round")
        let owners = cluster.owners()
        #expect(owners.values.allSatisfy { $0.count == 1 && $0 != ["c"] }, "\(owners)")
        #expect(owners.values.filter { $0 == ["a"] }.count == 5 && owners.values.filter { $0 == ["b"] }.count == 5)
    }

    @Test func anInstanceCutOffFromTheBusStopsPollingBeforeAnotherCanTakeOver() async {
        let cluster = Cluster(["a", "b"])
        for _ in 0..<3 { await cluster.round(["a", "b"]) }
        let heldByB = cluster.owners().filter { $0.value == ["b"] }.map(\.key)
        #expect(!heldByB.isEmpty)
        cluster.links["b"]!.isCut = true
        // b keeps stepping (and failing); `round` checks there is never a second owner.
        for _ in 0..<6 { await cluster.round(["a", "b"], every: .seconds(1.5)) }
        #expect(cluster.members["b"]!.view.lastError != nil)
        #expect(heldByB.allSatisfy { cluster.owners()[$0] == ["a"] }, "\(cluster.owners())")
        cluster.links["b"]!.isCut = false
        for _ in 0..<3 { await cluster.round(["a", "b"]) }
        let counts = ["a", "b"].map { name in cluster.owners().values.filter { $0 == [name] }.count }
        #expect(counts == [5, 5], "after the partition heals the jobs are split again: \(counts)")
    }

    @Test func aStopWhileTheBusIsUnreachableDoesNotWaitOnIt() async throws {
        let cluster = Cluster(["a"])
        await cluster.round(["a"])
        cluster.links["a"]!.isCut = true
        await cluster.round(["a"])
        let writes = cluster.bucket.writes
        await cluster.members["a"]!.leave()
        #expect(LeaseTests.jobs.allSatisfy { !cluster.members["a"]!.owns($0) }, "forgotten at once")
        cluster.links["a"]!.isCut = false
        let left = try await cluster.bucket.entries()
        #expect(cluster.bucket.writes == writes && left.count == 11, "left in the bucket to lapse")
    }

    @Test func aGracefulLeaveHandsTheJobsOverAtTheNextRound() async {
        let cluster = Cluster(["a", "b"])
        for _ in 0..<3 { await cluster.round(["a", "b"]) }
        await cluster.members["b"]!.leave()
        #expect(LeaseTests.jobs.allSatisfy { !cluster.members["b"]!.owns($0) })
        await cluster.round(["a"])
        #expect(cluster.owners().values.allSatisfy { $0 == ["a"] })
    }

    @Test func leaseKeysAreValidBucketKeysWhateverTheJob() {
        let key = LeaseCoordinator<ManualClock>.leaseKey("yahoo|quote|^GSPC,BRK.B|range=1d&x=ü")
        #expect(key.hasPrefix("job.") && key.count == 36)
        #expect(key.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x2E })
    }

    /// A job handed back (rebalancing, or a graceful stop) keeps its holder's last word in the
    /// bucket, written at the hand-back: the next holder gets it, not a word a round old or none.
    @Test func aJobHandedBackCarriesItsHoldersLastWordToTheNextHolder() async {
        let clock = ManualClock()
        let bucket = InMemoryLeaseStore(ttl: .seconds(9), clock: clock)
        let job = Self.jobs[0]
        let word = Mutex<JSONValue?>(nil)
        let a = LeaseCoordinator(instance: "a", jobs: [job], store: bucket, clock: clock, progress: { _ in word.withLock { $0 } })
        let handed = Mutex<[String: JSONValue?]>([:])
        let b = LeaseCoordinator(
            instance: "b", jobs: [job], store: bucket, clock: clock, onTakeOver: { job, said in handed.withLock { $0[job] = said } })
        await a.step()
        await b.step()
        #expect(a.owns(job) && !b.owns(job))
        // Nothing to say when the lease was taken; something by the time a hands it back.
        word.withLock { $0 = .array([.string("bar at 12:04")]) }
        await a.leave()
        await b.step()
        #expect(b.owns(job), "claimed at once, not after the TTL")
        #expect(handed.withLock { $0[job] } == .some(.array([.string("bar at 12:04")])))
        let (holders, _, _, released) = LeaseCoordinator<ManualClock>.read(try! await bucket.entries())
        #expect(holders[job]?.owner == "b" && released.isEmpty)
    }

    @Test func theInstanceThatTakesAJobOverGetsWhatItsLastHolderWrote() async {
        let clock = ManualClock()
        let bucket = InMemoryLeaseStore(ttl: .seconds(9), clock: clock)
        let job = Self.jobs[0]
        let a = LeaseCoordinator(
            instance: "a", jobs: [job], store: bucket, clock: clock, progress: { _ in .array([.string("bar at 12:04")]) })
        let handed = Mutex<[String: JSONValue?]>([:])
        let b = LeaseCoordinator(
            instance: "b", jobs: [job], store: bucket, clock: clock, onTakeOver: { job, said in handed.withLock { $0[job] = said } })
        await a.step()
        await b.step()
        #expect(a.owns(job) && !b.owns(job))
        // a dies; its lease lapses; b takes the job with a's last word.
        for _ in 0..<4 {
            clock.advance(by: .seconds(3))
            await b.step()
        }
        #expect(b.owns(job))
        #expect(handed.withLock { $0[job] } == .some(.array([.string("bar at 12:04")])))
    }
}
