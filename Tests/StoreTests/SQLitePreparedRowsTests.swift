import Pipeline
import Testing
import TributaryCore
import TributaryTesting

@testable import StoreSQLite

/// A write's prepared rows, and the spare storage the next preparation fills.
@Suite struct SQLitePreparedRowsTests {
    /// Preparing again after a batch went reuses its emptied storage and encodes only the new
    /// batch: nothing of the earlier rows, cells or bytes shows through.
    @Test func aLaterPreparationIsOnlyItsOwnBatch() {
        let first = SQLitePreparedRows(SampleRecords.file(source: "tape"))
        let firstRows = first.rows.count, firstCells = first.cells.count
        #expect(firstRows == SampleRecords.records().count && firstCells > firstRows)
        _ = consume first
        let one = Array(SampleRecords.rest(source: "other").prefix(1))
        let second = SQLitePreparedRows(one)
        #expect(second.rows.count == 1 && second.sources == ["other"] && second.groups.count == 1)
        #expect(second.cells.count == SQLiteKindTable.table(for: one[0].record.kind).columns.columns.count)
        #expect(second.bytes.count >= 32 && second.bytes.count < 32 + 64 * second.cells.count)
    }

    /// Rows may share a multi-row insert only when no identity repeats: told from the key order
    /// when it ascends, else by a set.
    @Test func distinctKeysAreToldInOrderOutOfOrderAndNotWhenAKeyRepeats() {
        func trades(_ ids: [String], symbol: String = "X") -> [Envelope] {
            ids.map { id in
                Envelope.rest(
                    Record(
                        source: "acme", endpoint: "trades", symbol: symbol, venueSymbol: symbol,
                        payload: .trade(Trade(tradeID: id, time: SampleRecords.time, price: ExactDecimal(1), size: ExactDecimal(1)))),
                    sourceURI: "http://x", observedAt: .now(), requestID: "r", transformations: [])
            }
        }
        #expect(SQLitePreparedRows(trades((0..<40).map(String.init))).distinctKeys)
        #expect(SQLitePreparedRows(trades((0..<40).reversed().map(String.init))).distinctKeys)
        #expect(SQLitePreparedRows(trades(["b", "a", "c", "10", "9"])).distinctKeys)
        #expect(SQLitePreparedRows(trades(["1", "2"]) + trades(["1", "2"], symbol: "Y")).distinctKeys)
        #expect(!SQLitePreparedRows(trades(["1", "2", "3", "1"])).distinctKeys)
        #expect(!SQLitePreparedRows(trades(["a", "b", "a"])).distinctKeys)
        #expect(!SQLitePreparedRows(trades(["2", "1", "2"])).distinctKeys)
    }

    @Test func spareStorageIsEmptiedKeptUpToItsLimitAndNotWhenTooLarge() {
        let spare = SQLitePreparedArrays.Spare(limit: 1, maxRows: 100, maxBytes: 1_000)
        var rows = [SQLitePreparedRows.Row](), cells: [SQLitePreparedRows.Cell] = [.integer(1), .null], bytes: [UInt8] = [1, 2, 3]
        rows.reserveCapacity(50)
        spare.give(&rows, &cells, &bytes)
        #expect(rows.isEmpty && cells.isEmpty && bytes.isEmpty)
        var big = [SQLitePreparedRows.Row](), none: [SQLitePreparedRows.Cell] = [], nothing: [UInt8] = []
        big.reserveCapacity(1_000)
        spare.give(&big, &none, &nothing)  // over maxRows: dropped
        let (kept, keptCells, keptBytes) = spare.take()
        #expect(kept.isEmpty && kept.capacity >= 50 && kept.capacity < 1_000)
        #expect(keptCells.isEmpty && keptCells.capacity >= 2 && keptBytes.isEmpty && keptBytes.capacity >= 3)
        let (fresh, _, _) = spare.take()
        #expect(fresh.capacity == 0)
        var few = [SQLitePreparedRows.Row](), noCells: [SQLitePreparedRows.Cell] = [], many = [UInt8](repeating: 7, count: 5_000)
        spare.give(&few, &noCells, &many)  // over maxBytes: dropped
        #expect(spare.take().2.capacity == 0)
    }
}
