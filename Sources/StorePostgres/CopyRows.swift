import NIOCore
import Pipeline
import PostgresNIO
import TributaryCore

/// One batch's row of a kind: which envelope, the batch row its provenance is in, and the
/// transformations it has beyond the batch's.
struct KindRow {
    var index: Int
    var batch: Int64
    var extra: String?
}

/// The rows of one kind in a write, streamed to a `COPY … FROM STDIN` in pieces so PostgreSQL
/// inserts the first rows while the later ones are still being written.
struct CopyRows {
    /// Where the rows go: the staging table (an order column first, times as BIGINT
    /// nanoseconds, merged after) or the kind's table itself (times as `timestamptz` and `_ns`).
    enum Target { case stage, table }

    /// A piece's size: large enough that a message's overhead does not matter, small enough
    /// that the server starts early.
    static let pieceBytes = 1 << 18

    let batch: [Envelope]
    let rows: [KindRow]
    let table: RecordColumns
    let sourceKeys: [String: Int64]

    func write(to target: Target, _ writer: PostgresCopyFromWriter) async throws {
        var line = CopyLine(capacity: Self.pieceBytes + 4096)
        let times = table.columns.map { $0.type == .time }
        for (order, row) in rows.enumerated() {
            let record = batch[row.index].record
            let key = batch[row.index].identity ?? record.naturalKey
            guard let sourceKey = sourceKeys[record.source.rawValue] else {
                throw PostgresStoreError("no key was looked up for source '\(record.source.rawValue)'")
            }
            if target == .stage { line.integer(Int64(order)) }
            line.integer(sourceKey)
            line.text(record.symbol)
            line.text(key)
            line.integer(row.batch)
            line.text(record.venueSymbol.sameBytes(as: record.symbol) ? nil : record.venueSymbol)
            line.hash(batch[row.index].provenance)
            line.integer(1)
            line.text(row.extra)
            var column = 0
            RecordColumns.forEachCell(of: record.payload, key: key) { cell in
                let isTime = target == .table && times[column]
                column += 1
                switch cell {
                case .null:
                    line.text(nil)
                    if isTime { line.integer(0) }
                case .integer(let number): if isTime { line.time(nanoseconds: number) } else { line.integer(number) }
                case .text(let text): line.text(text)
                case .decimal(let value): line.decimal(value)
                }
            }
            line.end()
            if line.count >= Self.pieceBytes { try await writer.write(line.takePiece()) }
        }
        if line.count > 0 { try await writer.write(line.takePiece()) }
    }
}
