import Testing

@testable import StorePostgres

/// When PostgreSQL's straight copy is tried: always until a conflict, then after a pause that
/// doubles while conflicts go on, and at once again after a copy went in.
@Suite struct DirectCopyPolicyTests {
    /// How many batches in a row are merged before the next attempt.
    func pause(_ policy: DirectCopyPolicy, _ table: String) -> Int {
        var skipped = 0
        while !policy.shouldCopyDirectly(table) { skipped += 1 }
        return skipped
    }

    @Test func aTableIsCopiedStraightUntilItConflicts() {
        let policy = DirectCopyPolicy()
        for _ in 0..<100 { #expect(policy.shouldCopyDirectly("trades")) }
    }

    @Test func conflictsInARowPauseLongerUpToTheLongest() {
        let policy = DirectCopyPolicy()
        var pauses: [Int] = []
        for _ in 0..<10 {
            policy.conflicted("bars")
            pauses.append(pause(policy, "bars"))
        }
        #expect(pauses == [16, 32, 64, 128, 256, 512, 1024, 1024, 1024, 1024])
        // Another table is not paused by these.
        #expect(policy.shouldCopyDirectly("trades"))
    }

    @Test func aCopyThatWentInStartsThePausesOver() {
        let policy = DirectCopyPolicy()
        policy.conflicted("bars")
        _ = pause(policy, "bars")
        policy.conflicted("bars")
        #expect(pause(policy, "bars") == 32)
        policy.copied("bars")
        #expect(policy.shouldCopyDirectly("bars"))
        policy.conflicted("bars")
        #expect(pause(policy, "bars") == 16)
    }
}
