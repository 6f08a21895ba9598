import Pipeline
import Synchronization
import TributaryCore

/// A write's records as the kind tables' statements bind them, encoded without the database.
///
/// Why: the store's one write connection is an import's bottleneck, and encoding a record —
/// its provenance grouped into a batch, its key and decimals written as text, its hash as 32
/// bytes, its trade side as a code — took as long as SQLite's own insert of it. Encoded here,
/// the work can run on the cores that made the records (``SQLiteStore/prepare(_:)``); the
/// writer then only interns texts, inserts batch rows and binds each row's parameters from
/// these arrays (texts and bytes bound in place, `SQLITE_STATIC`). Every write goes through
/// this one encoding, prepared ahead or not.
struct SQLitePreparedRows: Sendable {
    /// A bound value of a kind column: text and bytes are a range of ``bytes``.
    enum Cell: Sendable {
        case null
        case integer(Int64)
        case text(start: Int, count: Int)
    }

    struct Row: Sendable {
        var kind: TributaryCore.Record.Kind
        /// Indexes into ``sources`` and ``symbols``.
        var source: Int32
        var symbol: Int32
        /// Index into ``groups``: the batch row the record references.
        var group: Int32
        var key: SQLiteStoredKey
        /// The venue's symbol when it differs from the symbol.
        var venueSymbol: String?
        /// Where the 32 hash bytes start in ``bytes``.
        var hash: Int
        var line: Int64?
        /// Transformations beyond the batch's other than a line, as a JSON array.
        var extra: String?
        /// The record's time in nanoseconds (a spans table's bucket), when its kind has one.
        var time: Int64?
        /// Where the row's kind cells start in ``cells`` (as many as its table has columns).
        var cells: Int
    }

    /// The rows, their cells and the bytes cells point into, in storage handed back for the
    /// next preparation once the last copy of these goes (``SQLitePreparedArrays``).
    private let arrays: SQLitePreparedArrays
    var rows: [Row] { arrays.rows }
    var cells: [Cell] { arrays.cells }
    var bytes: [UInt8] { arrays.bytes }
    /// Distinct source ids and symbols, in order of first appearance.
    let sources: [String]
    let symbols: [String]
    let groups: [ProvenanceBatch]
    /// A content hash that is not a SHA-256 (only a provenance built from text can hold one):
    /// the write fails with it, as it would have binding it.
    let hashProblem: StoredRowError?
    /// No two rows have the same identity (source, symbol, key): rows may then be inserted
    /// several to a statement (``SQLiteUpsert/insertMany(_:cells:bytes:keys:)``), since
    /// a row that was there before is told from a row of this write by its batch.
    let distinctKeys: Bool

    init(_ batch: [Envelope]) {
        var (rows, cells, bytes) = SQLitePreparedArrays.spare.take()
        var hashProblem: StoredRowError?
        let groups = ProvenanceBatch.group(batch)
        var sources: [String] = [], symbols: [String] = []
        var groupOf = [Int32](repeating: 0, count: batch.count)
        for (number, group) in groups.enumerated() {
            for member in group.members { groupOf[member] = Int32(number) }
        }
        // Each group's own step count, so a member's own steps need no copy of its group.
        let groupSteps = groups.map(\.transformations.count)
        var sourceIndex = TextIndex(), symbolIndex = TextIndex()
        var hexScratch: [UInt8] = []
        // Consecutive records are mostly one kind: what its table says is looked up once per run of them.
        var kindNow: TributaryCore.Record.Kind?
        var sides: [Bool] = []
        var timed = false
        // Rows in increasing identity order (an import of ids in order) are distinct without a set.
        var ascending = true
        var previous: (source: Int32, symbol: Int32, key: SQLiteStoredKey)?
        let columns = batch.first.map { SQLiteKindTable.table(for: $0.record.kind).columns.columns.count } ?? 0
        rows.reserveCapacity(batch.count)
        cells.reserveCapacity(batch.count * columns)
        // The hash and about two short decimals a row.
        bytes.reserveCapacity(batch.count * 48)
        batch.withUnsafeBufferPointer { envelopes in
            guard let first = envelopes.baseAddress else { return }
            for position in envelopes.indices {
                let envelope = first + position
                // Taken once: each method or computed property read through the address copied
                // the record again for its call (four copies a row).
                let record = envelope.pointee.record
                let kind = record.kind
                let key = envelope.pointee.identity ?? record.naturalKey
                let hash = bytes.count
                if let problem = Self.appendHash(envelope, to: &bytes, scratch: &hexScratch) { hashProblem = hashProblem ?? problem }
                var row = Row(
                    kind: kind, source: sourceIndex.index(record.source.rawValue, in: &sources),
                    symbol: symbolIndex.index(record.symbol, in: &symbols), group: groupOf[position], key: SQLiteStoredKey(key),
                    venueSymbol: record.venueSymbol.sameBytes(as: record.symbol) ? nil : record.venueSymbol,
                    hash: hash, line: nil, extra: nil, time: nil, cells: cells.count)
                if ascending, let last = previous {
                    ascending =
                        (last.source, last.symbol) < (row.source, row.symbol)
                        || ((last.source, last.symbol) == (row.source, row.symbol) && last.key.precedes(row.key))
                }
                previous = (row.source, row.symbol, row.key)
                switch ProvenanceBatch.ownSteps(envelope.pointee, after: groupSteps[Int(row.group)]) {
                case .none: break
                case .line(let line): row.line = line
                case .other(let steps): row.extra = JSONWriter.string(.array(steps.map(JSONValue.string)))
                }
                if kind != kindNow {
                    let table = SQLiteKindTable.table(for: kind)
                    (kindNow, sides, timed) = (kind, table.sideColumns, table.hasSpans)
                }
                if timed { row.time = record.asOf?.nanosecondsSinceEpoch }
                var column = 0
                RecordColumns.forEachCell(of: record.payload, key: key) { cell in
                    defer { column += 1 }
                    switch cell {
                    case .null: cells.append(.null)
                    case .integer(let number): cells.append(.integer(number))
                    case .text(let text):
                        if sides[column], let code = SQLiteSide.code(text) {
                            cells.append(.integer(code))
                        } else {
                            cells.append(Self.appendText(text, to: &bytes))
                        }
                    case .decimal(let value):
                        let start = bytes.count
                        value.write(into: &bytes)
                        cells.append(.text(start: start, count: bytes.count - start))
                    }
                }
                rows.append(row)
            }
        }
        self.arrays = SQLitePreparedArrays(rows: rows, cells: cells, bytes: bytes)
        self.groups = groups
        self.sources = sources
        self.symbols = symbols
        self.hashProblem = hashProblem
        distinctKeys = ascending || SQLiteDistinctIdentities.allDiffer(rows)
    }

    /// The text's UTF-8 appended to `bytes`, as the cell that points at it.
    private static func appendText(_ text: String, to bytes: inout [UInt8]) -> Cell {
        var text = text
        let start = bytes.count
        text.withUTF8 { bytes.append(contentsOf: $0) }
        return .text(start: start, count: bytes.count - start)
    }

    /// The 32 hash bytes: straight from the digest the hasher made, or parsed from a `sha256:`
    /// text; a text that is not one is returned (32 zero bytes hold its place).
    private static func appendHash(_ envelope: UnsafePointer<Envelope>, to bytes: inout [UInt8], scratch: inout [UInt8]) -> StoredRowError? {
        if let digest = envelope.pointee.provenance.contentDigest {
            digest.withUnsafeBytes { bytes.append(contentsOf: $0) }
            return nil
        }
        scratch.removeAll(keepingCapacity: true)
        do {
            try SQLiteStore.appendHashBytes(envelope.pointee.provenance.contentHash, to: &scratch)
            bytes.append(contentsOf: scratch)
            return nil
        } catch {
            bytes.append(contentsOf: repeatElement(0, count: 32))
            return error
        }
    }

    /// Positions of distinct texts: consecutive rows mostly repeat the last one, told by a byte
    /// comparison before any hashing.
    private struct TextIndex {
        private var positions: [String: Int32] = [:]
        private var last: (text: String, index: Int32)?

        mutating func index(_ text: String, in texts: inout [String]) -> Int32 {
            if let last, last.text.sameBytes(as: text) { return last.index }
            let index: Int32
            if let known = positions[text] {
                index = known
            } else {
                index = Int32(texts.count)
                texts.append(text)
                positions[text] = index
            }
            last = (text, index)
            return index
        }
    }
}

/// A preparation's three arrays, given back to ``spare`` when the last copy of the prepared rows
/// goes, so the next preparation writes into pages already in the process: fresh arrays for every
/// 10,000-row import chunk (~2.5 MB) were faulted in and zeroed by the kernel each time, ~4 % of an
/// import's CPU.
final class SQLitePreparedArrays: @unchecked Sendable {
    // Filled before this object exists, only read while it is shared, and emptied in `deinit`
    // when no one else holds it: never written while two threads can see it.
    private(set) var rows: [SQLitePreparedRows.Row]
    private(set) var cells: [SQLitePreparedRows.Cell]
    private(set) var bytes: [UInt8]

    init(rows: [SQLitePreparedRows.Row], cells: [SQLitePreparedRows.Cell], bytes: [UInt8]) {
        self.rows = rows
        self.cells = cells
        self.bytes = bytes
    }

    deinit { Self.spare.give(&rows, &cells, &bytes) }

    /// At most a few sets wait (the chunks an import has in flight); none larger than a chunk's,
    /// so one huge batch (long news texts) does not stay held after it was written.
    static let spare = Spare(limit: 8, maxRows: 65_536, maxBytes: 16 << 20)

    /// Emptied arrays that kept their storage.
    final class Spare: Sendable {
        private let sets = Mutex<[([SQLitePreparedRows.Row], [SQLitePreparedRows.Cell], [UInt8])]>([])
        private let limit: Int
        private let maxRows: Int
        private let maxBytes: Int

        init(limit: Int, maxRows: Int, maxBytes: Int) {
            self.limit = limit
            self.maxRows = maxRows
            self.maxBytes = maxBytes
        }

        func take() -> ([SQLitePreparedRows.Row], [SQLitePreparedRows.Cell], [UInt8]) {
            sets.withLock { $0.popLast() } ?? ([], [], [])
        }

        func give(_ rows: inout [SQLitePreparedRows.Row], _ cells: inout [SQLitePreparedRows.Cell], _ bytes: inout [UInt8]) {
            var set: ([SQLitePreparedRows.Row], [SQLitePreparedRows.Cell], [UInt8]) = ([], [], [])
            swap(&set.0, &rows)
            swap(&set.1, &cells)
            swap(&set.2, &bytes)
            guard set.0.capacity <= maxRows, set.2.capacity <= maxBytes else { return }
            set.0.removeAll(keepingCapacity: true)
            set.1.removeAll(keepingCapacity: true)
            set.2.removeAll(keepingCapacity: true)
            sets.withLock { sets in
                if sets.count < limit { sets.append(set) }
            }
        }
    }
}
