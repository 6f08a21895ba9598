import Foundation
import GRDB
import Pipeline
import Testing
import TributaryCore
import TributaryTesting

@testable import StoreSQLite

/// A store written before schema v14 (text keys, an index on each kind's time) opens with integer
/// keys and spans, and reads back every record as it was: by identity, latest and by time range.
@Suite struct KeySpanMigrationTests {
    func trade(_ id: String, at seconds: Int64) -> Envelope {
        Envelope.rest(
            Record(
                source: "acme", endpoint: "trades", symbol: "X", venueSymbol: "X",
                payload: .trade(
                    Trade(tradeID: id, time: SampleRecords.time.adding(seconds: seconds)!, price: ExactDecimal(1), size: ExactDecimal(2), side: .buy))),
            sourceURI: "http://x", observedAt: .now(), requestID: "r", transformations: [])
    }

    @Test func aVersion13StoreGetsIntegerKeysAndSpansAndReadsTheSame() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tributary-v13-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/t.sqlite"
        let trades = ["7", "007", "12", "abc", "100000", "99999"].enumerated().map { trade($1, at: Int64($0) * 20) }
        let written = SampleRecords.rest() + SampleRecords.rest(source: "b", offsetSeconds: 60) + trades
        do {
            let store = try SQLiteStore(path: path)
            _ = try store.upsert(written)
            try store.pool.write { db in try Version13Tables.downgrade(in: db) }
            #expect(try store.pool.read { db in try String.fetchAll(db, sql: "SELECT DISTINCT typeof(key) FROM trades") } == ["text"])
        }
        let store = try SQLiteStore(path: path)
        try store.pool.read { db in
            let types = try Row.fetchAll(
                db, sql: "SELECT CAST(key AS TEXT) AS key, typeof(key) AS type FROM trades WHERE symbol_key = (SELECT key FROM symbols WHERE symbol = 'X')")
            let typeOf = Dictionary(uniqueKeysWithValues: types.map { ($0["key"] as String, $0["type"] as String) })
            #expect(typeOf == ["7": "integer", "007": "text", "12": "integer", "abc": "text", "100000": "integer", "99999": "integer"])
            let indexes = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE '%_latest'")
            #expect(indexes == ["observations_latest"])
            #expect(try Int.fetchOne(db, sql: "SELECT SUM(rows) FROM trades_spans") == (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM trades")))
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM trades_view WHERE trade_id = '007'") == 1)
            #expect(try String.fetchAll(db, sql: "SELECT DISTINCT typeof(side) FROM trades WHERE side IS NOT NULL") == ["integer"])
            #expect(try String.fetchAll(db, sql: "SELECT DISTINCT side FROM trades_view WHERE side IS NOT NULL ORDER BY 1") == ["buy", "sell"])
        }
        for envelope in written {
            let record = envelope.record
            let stored = try store.storedRecord(source: record.source, kind: record.kind, symbol: record.symbol, naturalKey: record.naturalKey)
            #expect(stored?.envelope == envelope, "\(record.kind) \(record.naturalKey)")
        }
        #expect(try store.latest(symbol: "BTC-USDT", kind: .quote).map(\.source) == ["acme", "b"])
        #expect(try store.latest(symbol: "X", kind: .trade).first?.envelope == trades.last)
        let page = try store.records(RecordQuery(kind: .trade, symbol: "X"), after: nil, limit: 100)
        #expect(page.envelopes == trades)
        // Writes after the move land beside the moved rows: an unchanged replay is skipped.
        #expect(try store.upsert(written).unchanged == written.count)
    }
}
