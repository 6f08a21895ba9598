import GRDB
import GRDBSQLite
import Pipeline
import TributaryCore

/// One kind table's single-row upsert, prepared once per write and bound straight from each
/// record through SQLite's C API.
///
/// This is the bulk path (an import chunk is 10,000 rows): it binds integers, the 32 hash
/// bytes and decimal digits directly — no argument array of existentials, no `String` per
/// decimal, no row object per result — as the sqlite3 shell's `.import` does. It is two
/// statements rather than one `INSERT … ON CONFLICT DO UPDATE … RETURNING`: an
/// `INSERT OR IGNORE` (one change: a new record), and only when the key was there an `UPDATE`
/// of the row whose content hash differs (one change: a revision; none: unchanged). SQLite
/// buffers `RETURNING` rows in a temporary table, which cost more than the insert itself.
final class SQLiteUpsert {
    enum Outcome {
        case inserted
        case updated
        case unchanged
    }

    let table: SQLiteKindTable
    /// Per kind column: true for a side, bound as its code (``SQLiteSide``).
    private let sideColumns: [Bool]
    private let insert: OpaquePointer
    private let update: OpaquePointer
    private let connection: OpaquePointer
    /// A hash read back from text, turned into its bytes here first.
    private var scratch: [UInt8] = []
    /// One row's hash and decimal texts, bound where they lie (`SQLITE_STATIC`: no copy and no
    /// allocation per cell, where a transient bind costs SQLite a `malloc`, a copy and a `free`
    /// each). Sized at init for the hash and a widest decimal in every column, so writing a row
    /// never outgrows it; it outlives the statements (freed after they are finalized), and every
    /// step binds every parameter anew, so no statement runs with another row's bytes.
    private let cells: UnsafeMutablePointer<UInt8>

    init(_ table: SQLiteKindTable, in db: Database) throws {
        guard let connection = db.sqliteConnection else { throw DatabaseError(resultCode: .SQLITE_MISUSE, message: "the connection is closed") }
        self.connection = connection
        self.table = table
        sideColumns = table.columns.columns.map { $0.type == .side }
        insert = try Self.prepare(SQLiteStore.insertSQL(table), on: connection)
        do { update = try Self.prepare(SQLiteStore.updateSQL(table), on: connection) } catch {
            sqlite3_finalize(insert)
            throw error
        }
        cells = .allocate(capacity: 32 + table.columns.columns.count * ExactDecimal.maxTextBytes)
        scratch.reserveCapacity(32)
    }

    deinit {
        sqlite3_finalize(insert)
        sqlite3_finalize(update)
        cells.deallocate()
    }

    private static func prepare(_ sql: String, on connection: OpaquePointer) throws -> OpaquePointer {
        var handle: OpaquePointer?
        let code = sqlite3_prepare_v3(connection, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &handle, nil)
        guard code == SQLITE_OK, let handle else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(connection)), sql: sql)
        }
        return handle
    }

    /// Writes one record row (the columns of ``SQLiteKindTable/common`` then the kind's; the
    /// update binds the same parameters in the same order). The envelope is read through its
    /// address, not copied: this runs once per stored record on the store's one writer thread.
    func write(
        _ envelope: UnsafePointer<Envelope>, sourceKey: Int64, symbolKey: Int64, key: String, storedKey: SQLiteStoredKey, batch: Int64,
        revision: Int, extra: String?, line: Int64?
    ) throws -> Outcome {
        try fillHash(envelope)
        for pass in 0..<2 {
            let statement = pass == 0 ? insert : update
            sqlite3_reset(statement)
            var index: Int32 = 1
            try bind(sourceKey, &index, statement)
            try bind(symbolKey, &index, statement)
            switch storedKey {
            case .integer(let number): try bind(number, &index, statement)
            case .text(let text): try bind(text, &index, statement)
            }
            try bind(batch, &index, statement)
            try bind(
                envelope.pointee.record.venueSymbol.sameBytes(as: envelope.pointee.record.symbol) ? nil : envelope.pointee.record.venueSymbol, &index, statement
            )
            try check(sqlite3_bind_blob64(statement, index, cells, 32, sqliteStatic), statement)
            index += 1
            try bind(Int64(revision), &index, statement)
            try bind(extra, &index, statement)
            if let line { try bind(line, &index, statement) } else { try check(sqlite3_bind_null(statement, index), statement); index += 1 }
            var column = 0
            var used = 32
            try RecordColumns.forEachCell(of: envelope.pointee.record.payload, key: key) { cell in
                defer { column += 1 }
                switch cell {
                case .null: try check(sqlite3_bind_null(statement, index), statement); index += 1
                case .integer(let number): try bind(number, &index, statement)
                case .text(let text):
                    if sideColumns[column], let code = SQLiteSide.code(text) { try bind(code, &index, statement) } else { try bind(text, &index, statement) }
                case .decimal(let value):
                    let start = cells + used
                    let count = value.write(at: start)
                    used += count
                    try check(sqlite3_bind_text64(statement, index, start, UInt64(count), sqliteStatic, UInt8(SQLITE_UTF8)), statement)
                    index += 1
                }
            }
            let code = sqlite3_step(statement)
            guard code == SQLITE_DONE else { throw error(code, statement) }
            if sqlite3_changes(connection) > 0 { return pass == 0 ? .inserted : .updated }
        }
        return .unchanged
    }

    /// The content hash's 32 bytes into the first cells: straight from the digest the hasher
    /// made, or parsed from its `sha256:` text when a provenance was built from text.
    private func fillHash(_ envelope: UnsafePointer<Envelope>) throws {
        if let digest = envelope.pointee.provenance.contentDigest {
            digest.copyBytes(to: cells)
        } else {
            scratch.removeAll(keepingCapacity: true)
            try SQLiteStore.appendHashBytes(envelope.pointee.provenance.contentHash, to: &scratch)
            for (offset, byte) in scratch.enumerated() { cells[offset] = byte }
        }
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

    private func error(_ code: Int32, _ statement: OpaquePointer) -> DatabaseError {
        DatabaseError(
            resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(connection)),
            sql: sqlite3_sql(statement).map { String(cString: $0) })
    }
}

/// SQLite copies the bound bytes (they live only for the call).
private let sqliteTransient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)
/// SQLite reads the bound bytes where they are, until the parameter is bound again.
private let sqliteStatic: sqlite3_destructor_type? = nil
