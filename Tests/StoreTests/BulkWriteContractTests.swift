import Foundation
import Pipeline
import Testing
import TributaryCore
import TributaryTesting

/// Batches that a bulk path could get wrong: new keys beside stored ones, a key twice in one
/// batch, and new batches after conflicting ones (PostgreSQL copies new rows straight into the
/// table and falls back to its merge on a conflict; every adapter must count and keep the same).
@Suite struct BulkWriteContractTests {
    typealias Adapter = StoreContractTests.Adapter

    func trade(_ id: String, price: Int, second: Int64 = 0) -> Envelope {
        Envelope.rest(
            Record(
                source: "acme", endpoint: "trades", symbol: "X", venueSymbol: "X",
                payload: .trade(
                    Trade(
                        tradeID: id, time: SampleRecords.time.adding(seconds: second) ?? SampleRecords.time, price: ExactDecimal(price), size: ExactDecimal(1)))
            ),
            sourceURI: "http://x", observedAt: .now(), requestID: "r", transformations: [])
    }

    func price(_ store: any RecordStore, _ id: String) async throws -> String? {
        guard case .trade(let t)? = try await store.storedRecord(source: "acme", kind: .trade, symbol: "X", naturalKey: id)?.envelope.record.payload
        else { return nil }
        return t.price.description
    }

    @Test(arguments: Adapter.available)
    func aBatchOfNewChangedAndSameKeysCountsEachOnce(_ adapter: Adapter) async throws {
        let (store, cleanup) = try await adapter.make()
        defer { cleanup() }
        #expect(try await store.upsert([trade("a", price: 1), trade("b", price: 1)]) == WriteResult(inserted: 2))
        let mixed = try await store.upsert([trade("a", price: 2), trade("b", price: 1), trade("c", price: 1)])
        #expect(mixed == WriteResult(inserted: 1, updated: 1, unchanged: 1))
        #expect(try await price(store, "a") == "2")
        #expect(try await store.storedRecord(source: "acme", kind: .trade, symbol: "X", naturalKey: "a")?.revision == 2)
        #expect(try await store.recordCount() == 3)
    }

    @Test(arguments: Adapter.available)
    func aKeyTwiceInOneBatchKeepsTheLast(_ adapter: Adapter) async throws {
        let (store, cleanup) = try await adapter.make()
        defer { cleanup() }
        let result = try await store.upsert([trade("a", price: 1), trade("b", price: 5), trade("a", price: 3)])
        #expect(result.inserted == 2)
        #expect(result.inserted + result.updated + result.unchanged == 3)
        #expect(try await price(store, "a") == "3")
        #expect(try await price(store, "b") == "5")
        #expect(try await store.recordCount() == 2)
    }

    /// Batches long enough to be written several rows to a statement (SQLite inserts rows of
    /// distinct keys 32 at a time), with stored, changed and new keys mixed inside every
    /// run of rows, in key order or not, and a key twice far apart: each row counted as it is.
    @Test(arguments: Adapter.available)
    func longBatchesCountEveryRowAsARowAtATimeWould(_ adapter: Adapter) async throws {
        let (store, cleanup) = try await adapter.make()
        defer { cleanup() }
        let ids = (100..<196).map(String.init)
        // Every third key is stored first (price 1).
        #expect(try await store.upsert(ids.enumerated().filter { $0.offset % 3 == 0 }.map { trade($0.element, price: 1) }) == WriteResult(inserted: 32))
        // All 96: the stored third half the same and half changed (price 2), the rest new.
        let mixed = ids.enumerated().map { index, id in trade(id, price: index % 3 == 0 && index % 2 == 0 ? 1 : 2) }
        #expect(try await store.upsert(mixed) == WriteResult(inserted: 64, updated: 16, unchanged: 16))
        #expect(try await price(store, "100") == "1")
        #expect(try await price(store, "103") == "2")
        #expect(try await price(store, "101") == "2")
        #expect(try await store.storedRecord(source: "acme", kind: .trade, symbol: "X", naturalKey: "103")?.revision == 2)
        #expect(try await store.storedRecord(source: "acme", kind: .trade, symbol: "X", naturalKey: "101")?.revision == 1)
        // The same keys out of order (text keys, reversed): all there, nothing changed.
        #expect(try await store.upsert(mixed.reversed()) == WriteResult(unchanged: 96))
        let texts = (0..<80).map { "t\(79 - $0)" }
        #expect(try await store.upsert(texts.map { trade($0, price: 7) }) == WriteResult(inserted: 80))
        // A key twice, first and last of 80: the later one wins and counts as a change of the first.
        var twice = (0..<80).map { trade("d\($0)", price: 1) }
        twice[79] = trade("d0", price: 9)
        let result = try await store.upsert(twice)
        #expect(result.inserted == 79 && result.inserted + result.updated + result.unchanged == 80)
        #expect(try await price(store, "d0") == "9")
        #expect(try await store.recordCount() == 96 + 80 + 79)
    }

    @Test(arguments: Adapter.available)
    func newBatchesAfterConflictingOnesAreAllStored(_ adapter: Adapter) async throws {
        let (store, cleanup) = try await adapter.make()
        defer { cleanup() }
        var expected = 0
        // Conflicting and new batches alternating in runs longer than any pause between attempts.
        for round in 0..<40 {
            if round % 10 < 3 {
                #expect(try await store.upsert([trade("0", price: round)]).updated == (round == 0 ? 0 : 1))
                if round == 0 { expected += 1 }
            } else {
                let batch = (0..<5).map { trade("r\(round)-\($0)", price: $0, second: Int64(round)) }
                #expect(try await store.upsert(batch) == WriteResult(inserted: 5), "round \(round)")
                expected += 5
            }
        }
        #expect(try await store.recordCount() == expected)
        #expect(try await price(store, "r39-4") == "4")
    }
}
