import Foundation
import Pipeline
import Testing
import TributaryCore
import TributaryTesting

/// Reads by time where the SQLite adapter reads through its coarse time index (spans) and
/// integer keys: every adapter must give the same records, in the same time order.
@Suite struct TimeReadContractTests {
    typealias Adapter = StoreContractTests.Adapter

    func trade(_ id: String, at nanoseconds: Int64, price: Int = 1, source: SourceID = "acme", symbol: String = "X") -> Envelope {
        Envelope.rest(
            Record(
                source: source, endpoint: "trades", symbol: symbol, venueSymbol: symbol,
                payload: .trade(Trade(tradeID: id, time: UTCTimestamp(nanosecondsSinceEpoch: nanoseconds), price: ExactDecimal(price), size: ExactDecimal(1)))),
            sourceURI: "http://x", observedAt: .now(), requestID: "r", transformations: [])
    }

    func readAll(_ store: any RecordStore, _ query: RecordQuery, limit: Int) async throws -> [Envelope] {
        var read: [Envelope] = []
        var cursor: RecordQuery.Cursor?
        repeat {
            let page = try await store.records(query, after: cursor, limit: limit)
            #expect(page.envelopes.count <= limit)
            read += page.envelopes
            cursor = page.next
        } while cursor != nil
        return read
    }

    @Test(arguments: Adapter.available)
    func keysThatLookLikeNumbersStayExactAndApart(_ adapter: Adapter) async throws {
        let (store, cleanup) = try await adapter.make()
        defer { cleanup() }
        let ids = ["7", "007", "0", "00", "12", "-3", "+3", "1e3", " 7", "7 ", "999999999999999999", "1000000000000000000", "99999999999999999999"]
        let envelopes = ids.enumerated().map { index, id in trade(id, at: 1_000 + Int64(index)) }
        #expect(try await store.upsert(envelopes).inserted == ids.count)
        #expect(try await store.upsert(envelopes).unchanged == ids.count)
        for (index, id) in ids.enumerated() {
            let stored = try #require(try await store.storedRecord(source: "acme", kind: .trade, symbol: "X", naturalKey: id), "\(id)")
            #expect(stored.envelope == envelopes[index], "\(id)")
        }
        let read = try await readAll(store, RecordQuery(kind: .trade, symbol: "X"), limit: 4)
        #expect(read.map(\.record.naturalKey) == ids)
    }

    @Test(arguments: Adapter.available)
    func aRevisionThatMovesTheNewestBackLeavesLatestAndRangesRight(_ adapter: Adapter) async throws {
        let (store, cleanup) = try await adapter.make()
        defer { cleanup() }
        let minute: Int64 = 60_000_000_000
        let base = SampleRecords.time.nanosecondsSinceEpoch
        _ = try await store.upsert([trade("1", at: base), trade("2", at: base + 5 * minute)])
        #expect(try await store.latest(symbol: "X", kind: .trade).map(\.asOf) == [UTCTimestamp(nanosecondsSinceEpoch: base + 5 * minute)])
        // Trade 2 corrected to an hour earlier: trade 1 is now the newest.
        #expect(try await store.upsert([trade("2", at: base - 60 * minute, price: 2)]).updated == 1)
        #expect(try await store.latest(symbol: "X", kind: .trade).map(\.asOf) == [UTCTimestamp(nanosecondsSinceEpoch: base)])
        let all = try await readAll(store, RecordQuery(kind: .trade, symbol: "X"), limit: 1)
        #expect(all.map(\.record.naturalKey) == ["2", "1"])
        let late = try await readAll(store, RecordQuery(kind: .trade, symbol: "X", from: UTCTimestamp(nanosecondsSinceEpoch: base + minute)), limit: 5)
        #expect(late.isEmpty)
    }

    @Test(arguments: Adapter.available)
    func rangesPageInTimeOrderAcrossSourcesSymbolsAndTheWholeTimeRange(_ adapter: Adapter) async throws {
        let (store, cleanup) = try await adapter.make()
        defer { cleanup() }
        // Times from the first to the last representable nanosecond, before and after 1970, many
        // per ~8.6 s bucket and buckets far apart; ids in and out of time order.
        var times: [Int64] = [.min, .min + 1, -9_000_000_000, -1, 0, 1, 8_589_934_591, 8_589_934_592, .max - 1, .max]
        for step in 0..<120 { times.append(SampleRecords.time.nanosecondsSinceEpoch + Int64(step) * 1_500_000_000) }
        var written: [Envelope] = []
        for (index, time) in times.enumerated() {
            for source in ["b", "a"] as [SourceID] {
                for symbol in ["X", "Y"] {
                    let id = index % 3 == 0 ? "\(1_000 - index)" : "t\(index)"
                    written.append(trade(id, at: time, source: source, symbol: symbol))
                }
            }
        }
        for chunk in stride(from: 0, to: written.count, by: 37) { _ = try await store.upsert(Array(written[chunk..<min(chunk + 37, written.count)])) }
        let mid = SampleRecords.time.nanosecondsSinceEpoch
        let queries = [
            RecordQuery(kind: .trade), RecordQuery(kind: .trade, symbol: "X"), RecordQuery(kind: .trade, symbol: "Y", source: "a"),
            RecordQuery(
                kind: .trade, source: "b", from: UTCTimestamp(nanosecondsSinceEpoch: -1), to: UTCTimestamp(nanosecondsSinceEpoch: mid + 30_000_000_000)),
            RecordQuery(kind: .trade, symbol: "X", from: UTCTimestamp(nanosecondsSinceEpoch: mid + 1), to: UTCTimestamp(nanosecondsSinceEpoch: .max)),
            RecordQuery(kind: .trade, symbol: "X", from: UTCTimestamp(nanosecondsSinceEpoch: .max)),
            RecordQuery(kind: .trade, symbol: "Z"), RecordQuery(kind: .trade, source: "nobody"),
        ]
        for query in queries {
            for limit in [1, 7, 1_000] {
                let read = try await readAll(store, query, limit: limit)
                let expected = written.filter(query.matches).map(RecordQuery.Cursor.init(after:)).sorted()
                #expect(read.map(RecordQuery.Cursor.init(after:)) == expected, "\(query) by \(limit)")
            }
        }
        let latest = try await store.latest(symbol: "Y", kind: .trade)
        #expect(latest.map(\.source) == ["a", "b"])
        #expect(latest.map(\.asOf) == [UTCTimestamp(nanosecondsSinceEpoch: .max), UTCTimestamp(nanosecondsSinceEpoch: .max)])
    }
}
