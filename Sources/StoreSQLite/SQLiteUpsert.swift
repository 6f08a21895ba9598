import GRDB
import GRDBSQLite
import Pipeline
import TributaryCore

/// One kind table's upsert, prepared once per write and bound straight from each record
/// through SQLite's C API: a row at a time, or ``rowsPerInsert`` rows to one insert.
///
/// This is the bulk path (an import chunk is 10,000 rows): it binds integers, the 32 hash
/// bytes and decimal digits directly — no argument array of existentials, no `String` per
/// decimal, no row object per result — as the sqlite3 shell's `.import` does. It is two
/// statements rather than one `INSERT … ON CONFLICT DO UPDATE … RETURNING`: an
/// `INSERT OR IGNORE` (one change: a new record), and only when the key was there an `UPDATE`
/// of the row whose content hash differs (one change: a revision; none: unchanged). SQLite
/// buffers `RETURNING` rows in a temporary table, which cost more than the insert itself.
/// Rows whose identities all differ go ``rowsPerInsert`` to one `INSERT OR IGNORE`
/// (``insertMany(_:cells:bytes:keys:)``); only a statement that did not insert them all has its
/// rows settled one by one (``settle(_:cells:bytes:sourceKey:symbolKey:batch:)``).
final class SQLiteUpsert {
    enum Outcome {
        case inserted
        case updated
        case unchanged
    }

    let table: SQLiteKindTable
    private let insert: OpaquePointer
    private let update: OpaquePointer
    /// ``rowsPerInsert`` rows in one `INSERT OR IGNORE`, and the batch a row with a key holds:
    /// prepared on first use (a write of fewer rows never needs them).
    private var insertMany: OpaquePointer?
    private var storedBatch: OpaquePointer?
    private let connection: OpaquePointer

    /// Rows a multi-row insert writes: each statement costs its own start, cursor and end, and
    /// the cursor stays where the last row went. Sixteen rows to a statement took a third less of
    /// SQLite's time per row than one row to one (a 1,000,000-row trades table); 32 took ~3 % less
    /// of a whole import's CPU than 16; more made no difference.
    static let rowsPerInsert = 32

    init(_ table: SQLiteKindTable, in db: Database) throws {
        guard let connection = db.sqliteConnection else { throw DatabaseError(resultCode: .SQLITE_MISUSE, message: "the connection is closed") }
        self.connection = connection
        self.table = table
        insert = try Self.prepare(SQLiteStore.insertSQL(table), on: connection)
        do { update = try Self.prepare(SQLiteStore.updateSQL(table), on: connection) } catch {
            sqlite3_finalize(insert)
            throw error
        }
    }

    deinit {
        sqlite3_finalize(insert)
        sqlite3_finalize(update)
        sqlite3_finalize(insertMany)
        sqlite3_finalize(storedBatch)
    }

    private static func prepare(_ sql: String, on connection: OpaquePointer) throws -> OpaquePointer {
        var handle: OpaquePointer?
        let code = sqlite3_prepare_v3(connection, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &handle, nil)
        guard code == SQLITE_OK, let handle else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(connection)), sql: sql)
        }
        return handle
    }

    /// Writes one prepared row (the columns of ``SQLiteKindTable/common`` then the kind's; the
    /// update binds the same parameters in the same order). Its hash, decimals and texts are
    /// bound where they lie in the prepared bytes (`SQLITE_STATIC`: no copy, no allocation),
    /// which outlive the step; every step binds every parameter anew, and the statements are
    /// reset and cleared before the bytes go (``clearBindings()``).
    func write(
        _ row: UnsafePointer<SQLitePreparedRows.Row>, cells: UnsafePointer<SQLitePreparedRows.Cell>, bytes: UnsafePointer<UInt8>,
        sourceKey: Int64, symbolKey: Int64, batch: Int64, revision: Int
    ) throws -> Outcome {
        if try changes(insert, row, cells: cells, bytes: bytes, sourceKey: sourceKey, symbolKey: symbolKey, batch: batch, revision: revision) {
            return .inserted
        }
        return try changes(update, row, cells: cells, bytes: bytes, sourceKey: sourceKey, symbolKey: symbolKey, batch: batch, revision: revision)
            ? .updated : .unchanged
    }

    /// Runs the single-row insert or update with one row's parameters: true when it changed a row.
    private func changes(
        _ statement: OpaquePointer, _ row: UnsafePointer<SQLitePreparedRows.Row>, cells: UnsafePointer<SQLitePreparedRows.Cell>,
        bytes: UnsafePointer<UInt8>, sourceKey: Int64, symbolKey: Int64, batch: Int64, revision: Int
    ) throws -> Bool {
        sqlite3_reset(statement)
        var index: Int32 = 1
        try bind(row, cells: cells, bytes: bytes, sourceKey: sourceKey, symbolKey: symbolKey, batch: batch, revision: revision, &index, statement)
        let code = sqlite3_step(statement)
        guard code == SQLITE_DONE else { throw error(code, statement) }
        return sqlite3_changes(connection) > 0
    }

    /// Inserts ``rowsPerInsert`` rows of this table, new at revision 1, with one statement
    /// (rows whose key is there already are left alone); true when every one was new.
    ///
    /// The rows' identities must differ from each other and their batches must be this write's
    /// own (``SQLitePreparedRows/distinctKeys``): when some row was not new, ``settle(_:cells:bytes:sourceKey:symbolKey:batch:)``
    /// tells each row's outcome, a row of this write by its batch.
    func insertMany(
        _ rows: UnsafePointer<SQLitePreparedRows.Row>, cells: UnsafePointer<SQLitePreparedRows.Cell>, bytes: UnsafePointer<UInt8>,
        keys: (UnsafePointer<SQLitePreparedRows.Row>) -> (source: Int64, symbol: Int64, batch: Int64)
    ) throws -> Bool {
        let statement = try insertMany ?? Self.prepare(SQLiteStore.insertSQL(table, rows: Self.rowsPerInsert), on: connection)
        insertMany = statement
        sqlite3_reset(statement)
        var index: Int32 = 1
        for offset in 0..<Self.rowsPerInsert {
            let row = rows + offset
            let key = keys(row)
            try bind(row, cells: cells, bytes: bytes, sourceKey: key.source, symbolKey: key.symbol, batch: key.batch, revision: 1, &index, statement)
        }
        let code = sqlite3_step(statement)
        guard code == SQLITE_DONE else { throw error(code, statement) }
        return sqlite3_changes(connection) == Self.rowsPerInsert
    }

    /// The outcome of a row ``insertMany(_:cells:bytes:keys:)`` wrote when not every row was
    /// new: inserted when the stored row is in this write's batch, else the row that was there
    /// is updated when its content differs (a revision) or left (unchanged).
    func settle(
        _ row: UnsafePointer<SQLitePreparedRows.Row>, cells: UnsafePointer<SQLitePreparedRows.Cell>, bytes: UnsafePointer<UInt8>,
        sourceKey: Int64, symbolKey: Int64, batch: Int64
    ) throws -> Outcome {
        let lookup = try storedBatch ?? Self.prepare(SQLiteStore.storedBatchSQL(table), on: connection)
        storedBatch = lookup
        sqlite3_reset(lookup)
        var index: Int32 = 1
        try bind(sourceKey, &index, lookup)
        try bind(symbolKey, &index, lookup)
        try bindKey(row.pointee.key, &index, lookup)
        let code = sqlite3_step(lookup)
        guard code == SQLITE_ROW else {
            throw code == SQLITE_DONE
                ? error(SQLITE_INTERNAL, lookup, "\(table.name): a row of this write was neither inserted nor found by its key") : error(code, lookup)
        }
        let stored = sqlite3_column_int64(lookup, 0)
        sqlite3_reset(lookup)
        if stored == batch { return .inserted }
        return try changes(update, row, cells: cells, bytes: bytes, sourceKey: sourceKey, symbolKey: symbolKey, batch: batch, revision: 1)
            ? .updated : .unchanged
    }

    /// Binds one row's parameters from `index` on, in ``SQLiteKindTable/common`` then kind column order.
    private func bind(
        _ row: UnsafePointer<SQLitePreparedRows.Row>, cells: UnsafePointer<SQLitePreparedRows.Cell>, bytes: UnsafePointer<UInt8>,
        sourceKey: Int64, symbolKey: Int64, batch: Int64, revision: Int, _ index: inout Int32, _ statement: OpaquePointer
    ) throws {
        try bind(sourceKey, &index, statement)
        try bind(symbolKey, &index, statement)
        try bindKey(row.pointee.key, &index, statement)
        try bind(batch, &index, statement)
        try bind(row.pointee.venueSymbol, &index, statement)
        try check(sqlite3_bind_blob64(statement, index, bytes + row.pointee.hash, 32, sqliteStatic), statement)
        index += 1
        try bind(Int64(revision), &index, statement)
        try bind(row.pointee.extra, &index, statement)
        if let line = row.pointee.line { try bind(line, &index, statement) } else { try bindNull(&index, statement) }
        let first = cells + row.pointee.cells
        for column in 0..<table.columns.columns.count {
            switch first[column] {
            case .null: try bindNull(&index, statement)
            case .integer(let number): try bind(number, &index, statement)
            case .text(let start, let count):
                try check(sqlite3_bind_text64(statement, index, bytes + start, UInt64(count), sqliteStatic, UInt8(SQLITE_UTF8)), statement)
                index += 1
            }
        }
    }

    private func bindKey(_ key: SQLiteStoredKey, _ index: inout Int32, _ statement: OpaquePointer) throws {
        switch key {
        case .integer(let number): try bind(number, &index, statement)
        case .text(let text): try bind(text, &index, statement)
        }
    }

    /// Leaves no parameter pointing into bytes about to be freed (after a write's last row).
    func clearBindings() {
        for statement in [insert, update] + [insertMany, storedBatch].compactMap({ $0 }) {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
        }
    }

    private func bindNull(_ index: inout Int32, _ statement: OpaquePointer) throws {
        try check(sqlite3_bind_null(statement, index), statement)
        index += 1
    }

    private func bind(_ value: Int64, _ index: inout Int32, _ statement: OpaquePointer) throws {
        try check(sqlite3_bind_int64(statement, index, value), statement)
        index += 1
    }

    private func bind(_ text: String?, _ index: inout Int32, _ statement: OpaquePointer) throws {
        guard var text else {
            try check(sqlite3_bind_null(statement, index), statement)
            index += 1
            return
        }
        try text.withUTF8 { try bindText($0, &index, statement) }
    }

    /// UTF-8 bytes as TEXT, copied by SQLite. The 64-bit length: a text cell (a news summary) has no
    /// bound of its own, and a 32-bit conversion would trap past 2 GiB rather than fail.
    private func bindText(_ bytes: UnsafeBufferPointer<UInt8>, _ index: inout Int32, _ statement: OpaquePointer) throws {
        let characters = bytes.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) }
        try check(sqlite3_bind_text64(statement, index, characters, UInt64(bytes.count), sqliteTransient, UInt8(SQLITE_UTF8)), statement)
        index += 1
    }

    private func check(_ code: Int32, _ statement: OpaquePointer) throws {
        guard code == SQLITE_OK else { throw error(code, statement) }
    }

    private func error(_ code: Int32, _ statement: OpaquePointer, _ message: String? = nil) -> DatabaseError {
        DatabaseError(
            resultCode: ResultCode(rawValue: code), message: message ?? String(cString: sqlite3_errmsg(connection)),
            sql: sqlite3_sql(statement).map { String(cString: $0) })
    }
}

/// SQLite copies the bound bytes (they live only for the call).
private let sqliteTransient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)
/// SQLite reads the bound bytes where they are, until the parameter is bound again.
private let sqliteStatic: sqlite3_destructor_type? = nil
