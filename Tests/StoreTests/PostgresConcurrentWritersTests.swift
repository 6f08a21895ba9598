import Pipeline
import Testing
import TributaryCore
import TributaryTesting

@testable import StorePostgres

/// Two sinks on one PostgreSQL database write overlapping batches (a job handed over, a batch
/// delivered again to the other sink), each first as a straight `COPY` of new keys. Whichever
/// commits second meets the other's keys: a unique violation that falls back to the merge, or,
/// when both wait on keys the other has not committed, a deadlock the server breaks by rolling
/// one back (40P01) — "try the batch again", never a refusal that dead-letters valid records.
/// Either way every record is stored once.
@Suite(.enabled(if: TestPostgres.url != nil, "needs the PostgreSQL server make test starts"))
struct PostgresConcurrentWritersTests {
    static let rounds = 8
    static let perRound = 1_000

    /// Writes `batch`, trying again while the store answers "unavailable" (as the sink does);
    /// returns how many tries were rolled back, and why.
    static func writeUntilStored(_ store: PostgresStore, _ batch: [Envelope]) async throws -> [String] {
        var rolledBack: [String] = []
        while true {
            do {
                _ = try await store.upsert(batch)
                return rolledBack
            } catch let error as StoreUnavailable {
                rolledBack.append(error.reason)
                // Bounded: a store that never takes the batch fails the test instead of hanging it.
                guard rolledBack.count < 20 else { throw error }
            }
        }
    }

    @Test func overlappingBatchesInOppositeOrdersAreAllStoredOnceWhateverTheServerRollsBack() async throws {
        let configuration = try await TestPostgres.freshDatabase()
        let first = try await PostgresStore(configuration)
        defer { first.shutdown() }
        let second = try await PostgresStore(configuration)
        defer { second.shutdown() }

        var rollbacks: [String] = []
        for round in 0..<Self.rounds {
            let batch = (0..<Self.perRound).map { i in
                let id = round * Self.perRound + i
                return BulkWriteContractTests().trade("t\(id)", price: id, second: Int64(id))
            }
            // Any error but "unavailable" (a refusal: dead-lettered by a sink) fails the test here.
            async let forward = Self.writeUntilStored(first, batch)
            async let backward = Self.writeUntilStored(second, batch.reversed())
            rollbacks += try await forward + backward
        }
        print("concurrent writers: \(rollbacks.count) rolled back: \(Set(rollbacks.map { String($0.prefix(60)) }))")
        #expect(rollbacks.allSatisfy { $0.contains("40P01") || $0.contains("40001") }, "\(rollbacks)")
        #expect(try await first.recordCount() == Self.rounds * Self.perRound)
        for id in [0, Self.perRound - 1, Self.rounds * Self.perRound - 1] {
            #expect(try await first.storedRecord(source: "acme", kind: .trade, symbol: "X", naturalKey: "t\(id)")?.revision == 1, "t\(id)")
        }
    }
}
