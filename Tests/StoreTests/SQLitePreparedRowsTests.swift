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
