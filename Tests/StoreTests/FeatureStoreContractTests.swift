import Foundation
import Pipeline
import Testing
import TributaryCore
import TributaryTesting

/// Feature rows and backfill checkpoints behave the same in memory, in SQLite and in PostgreSQL.
@Suite struct FeatureStoreContractTests {
    typealias Adapter = StoreContractTests.Adapter
    static let t0: Int64 = 1_700_000_000_000_000_000

    func row(_ symbol: String, _ source: SourceID, window: String = "1m", minute: Int64, close: String, version: Int = 1) -> FeatureRow {
        let start = Self.t0 + minute * 60_000_000_000
        return FeatureRow(
            set: "bars", version: version, source: source, symbol: symbol, window: window, start: UTCTimestamp(nanosecondsSinceEpoch: start),
            end: UTCTimestamp(nanosecondsSinceEpoch: start + 60_000_000_000),
            values: [.init("close", try! ExactDecimal(parsing: close)), .init("vwap", nil), .init("open", try! ExactDecimal(parsing: "1.50"))],
            events: 3, corrections: 0)
    }

    @Test(arguments: Adapter.available)
    func rowsUpsertByIdentityAndReadBackExactly(_ adapter: Adapter) async throws {
        let (store, cleanup) = try await adapter.make()
        defer { cleanup() }
        let time = UTCTimestamp(nanosecondsSinceEpoch: Self.t0 + 3_600_000_000_000)
        let rows = [
            row("BTC-USDT", "binance", minute: 0, close: "100.10"), row("BTC-USDT", "binance", minute: 1, close: "101"),
            row("BTC-USDT", "coinbase", minute: 1, close: "100.9"), row("BTC-USDT", "binance", window: "5m/1m", minute: 0, close: "99"),
            row("ETH-USDT", "binance", minute: 0, close: "3000"),
        ]
        #expect(try await store.upsertFeatures(rows, computedBy: "run", at: time, checkpoint: nil) == WriteResult(inserted: 5))
        // The same content again: unchanged; a corrected value: a new revision.
        var corrected = rows[1]
        corrected = FeatureRow(
            set: corrected.set, version: 1, source: corrected.source, symbol: corrected.symbol, window: corrected.window, start: corrected.start,
            end: corrected.end, values: [.init("close", try ExactDecimal(parsing: "101.5"))], events: 4, corrections: 1)
        let again = try await store.upsertFeatures(rows + [corrected], computedBy: "backfill", at: time, checkpoint: nil)
        #expect(again.unchanged == 5 && again.updated == 1)

        let page = try await store.featureRows(set: "bars", version: 1, symbol: "BTC-USDT", after: nil, limit: 2)
        #expect(page.map(\.row.start.nanosecondsSinceEpoch) == [Self.t0, Self.t0])
        #expect(page.first?.row.contentHash == rows[0].contentHash && page.first?.row.values == rows[0].values)
        #expect(page.first?.row.value("close") == (try ExactDecimal(parsing: "100.1")) && page.first?.row.value("vwap") == nil)
        let rest = try await store.featureRows(set: "bars", version: 1, symbol: "BTC-USDT", after: page.last?.cursor, limit: 10)
        #expect(rest.count == 2 && rest.allSatisfy { $0.row.start.nanosecondsSinceEpoch == Self.t0 + 60_000_000_000 })
        let revised = try #require(rest.first { $0.row.source == "binance" })
        #expect(revised.revision == 2 && revised.row.corrections == 1 && revised.computedBy == "backfill" && revised.row.contentHash == corrected.contentHash)
        #expect(revised.computedAt == time)

        let latest = try await store.latestFeatures(set: "bars", symbol: "BTC-USDT")
        #expect(
            latest.map { "\($0.row.source) \($0.row.window) \($0.row.start.nanosecondsSinceEpoch - Self.t0)" } == [
                "binance 1m 60000000000", "binance 5m/1m 0", "coinbase 1m 60000000000",
            ])
        // A newer version of the set is what `latest` shows, once it has rows.
        try await store.upsertFeatures([row("BTC-USDT", "binance", minute: 0, close: "7", version: 2)], computedBy: "run", at: time, checkpoint: nil)
        #expect(try await store.latestFeatures(set: "bars", symbol: "BTC-USDT").map(\.row.version) == [2])
        #expect(try await store.latestFeatures(set: "other", symbol: "BTC-USDT").isEmpty)
    }

    @Test(arguments: Adapter.available)
    func aCheckpointCommitsWithItsRows(_ adapter: Adapter) async throws {
        let (store, cleanup) = try await adapter.make()
        defer { cleanup() }
        let cursor = RecordQuery.Cursor(time: 1_700_000_000_123_456_789, date: nil, source: "venue", symbol: "BTC-USDT", key: "42")
        let checkpoint = FeatureCheckpoint(
            set: "bars", version: 1, scope: "kind=trade;symbol=*", after: cursor, state: Array("{\"state\":1}".utf8), records: 150, rows: 12, completed: false)
        try await store.upsertFeatures([row("BTC-USDT", "venue", minute: 0, close: "1")], computedBy: "backfill", at: .now(), checkpoint: checkpoint)
        let saved = try #require(try await store.featureCheckpoint(set: "bars", version: 1, scope: "kind=trade;symbol=*"))
        #expect(saved == checkpoint)
        #expect(try await store.featureCheckpoint(set: "bars", version: 1, scope: "other") == nil)
        var done = checkpoint
        done.completed = true
        done.after = nil
        try await store.upsertFeatures([], computedBy: "backfill", at: .now(), checkpoint: done)
        #expect(try await store.featureCheckpoint(set: "bars", version: 1, scope: "kind=trade;symbol=*") == done)
    }
}
