import Foundation
import GRDB
import Pipeline
import TributaryCore

/// Records in typed tables, their provenance once per batch.
///
/// A write groups its envelopes by provenance (every field but the content hash and the
/// transformations, plus the endpoint): a response, a push request or an import chunk is one
/// row of `batches`, which each record row references. A record's transformations are its
/// batch's (the group's common prefix) plus its own remainder (`line:42` for an imported row),
/// so the provenance read back is the one that was written, field for field.
extension SQLiteStore {
    /// Stores a batch in one transaction, saying how many records were new, changed or already there.
    @discardableResult
    public func upsert(_ batch: [Envelope]) throws -> WriteResult {
        guard !batch.isEmpty else { return WriteResult() }
        return try guarded { db in try Self.upsert(batch, in: db) }
    }

    /// The newest record per source for a symbol and kind (by the time it describes).
    public func latest(symbol: String, kind: TributaryCore.Record.Kind) throws -> [LatestRecord] {
        let table = SQLiteKindTable.table(for: kind)
        let order = table.timeColumn.map { "MAX(t.\($0))" } ?? "MAX(t.batch)"
        return try pool.read { db in
            guard let symbolKey = try SQLiteInternedKeys.existing(symbol, .symbol, in: db) else { return [] }
            guard !table.hasSpans else {
                return try Self.spannedLatest(symbolKey: symbolKey, table: table, in: db).map { envelope in
                    LatestRecord(source: envelope.record.source.rawValue, envelope: envelope, asOf: envelope.record.asOf)
                }
            }
            return try Row.fetchAll(
                db, sql: "\(Self.selectSQL(table, extra: " \(order) AS newest,")) WHERE t.symbol_key = ? GROUP BY t.source_key ORDER BY s.id",
                arguments: [symbolKey]
            )
            .map { row in
                var decoder = SQLiteRowDecoder(table: table)
                let envelope = try decoder.envelope(row)
                return LatestRecord(source: envelope.record.source.rawValue, envelope: envelope, asOf: envelope.record.asOf)
            }
        }
    }

    /// The stored record with this identity, and its revision.
    public func storedRecord(source: SourceID, kind: TributaryCore.Record.Kind, symbol: String, naturalKey: String) throws -> (
        envelope: Envelope, revision: Int
    )? {
        let table = SQLiteKindTable.table(for: kind)
        return try pool.read { db in
            guard let symbolKey = try SQLiteInternedKeys.existing(symbol, .symbol, in: db) else { return nil }
            return try Row.fetchOne(
                db, sql: "\(Self.selectSQL(table)) WHERE s.id = ? AND t.symbol_key = ? AND t.key = ?",
                arguments: [source.rawValue, symbolKey, SQLiteStoredKey(naturalKey)]
            )
            .map { row in
                var decoder = SQLiteRowDecoder(table: table)
                return (try decoder.envelope(row), decoder.revision(row))
            }
        }
    }

    /// The stored record's JSON line (as `fetch --json` prints it) and revision, by its identity.
    public func storedLine(source: SourceID, kind: TributaryCore.Record.Kind, symbol: String, naturalKey: String) throws -> (line: String, revision: Int)? {
        try storedRecord(source: source, kind: kind, symbol: symbol, naturalKey: naturalKey).map { ($0.envelope.jsonLine, $0.revision) }
    }

    public func records(_ query: RecordQuery, after cursor: RecordQuery.Cursor?, limit: Int) throws -> RecordPage {
        let table = SQLiteKindTable.table(for: query.kind)
        if table.hasSpans {
            let envelopes = try pool.read { db in try Self.spannedRecords(query, table: table, after: cursor, limit: limit, in: db) }
            return RecordPage(envelopes: envelopes, next: envelopes.count == limit ? envelopes.last.map(RecordQuery.Cursor.init(after:)) : nil)
        }
        var conditions: [String] = []
        var arguments: [(any DatabaseValueConvertible)?] = []
        if let symbol = query.symbol { conditions.append("t.symbol_key = (SELECT key FROM symbols WHERE symbol = ?)"); arguments.append(symbol) }
        if let source = query.source { conditions.append("s.id = ?"); arguments.append(source.rawValue) }
        let order: [String]
        if query.kind == .observation {
            if let from = query.from { conditions.append("t.date >= ?"); arguments.append(RecordQuery.firstDate(atOrAfter: from)) }
            if let to = query.to { conditions.append("t.date < ?"); arguments.append(RecordQuery.firstDate(atOrAfter: to)) }
            order = ["t.date", "s.id", "y.symbol", "t.key"]
            if let cursor { arguments += [cursor.date ?? "", cursor.source, cursor.symbol, SQLiteStoredKey(cursor.key)] }
        } else {
            order = ["s.id", "y.symbol", "t.key"]
            if let cursor { arguments += [cursor.source, cursor.symbol, SQLiteStoredKey(cursor.key)] }
        }
        if cursor != nil {
            conditions.append("(\(order.joined(separator: ", "))) > (\(Array(repeating: "?", count: order.count).joined(separator: ", ")))")
        }
        arguments.append(limit)
        let filter = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        let sql = "\(Self.selectSQL(table))\(filter) ORDER BY \(order.joined(separator: ", ")) LIMIT ?"
        let envelopes = try pool.read { db in
            var decoder = SQLiteRowDecoder(table: table)
            return try decoder.envelopes(Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)))
        }
        return RecordPage(envelopes: envelopes, next: envelopes.count == limit ? envelopes.last.map(RecordQuery.Cursor.init(after:)) : nil)
    }

    /// Records in all kind tables.
    public func recordCount() throws -> Int {
        try pool.read { db in
            try SQLiteKindTable.all.reduce(0) { total, table in total + (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table.name)") ?? 0) }
        }
    }

    /// - Parameter revisions: the revision each record starts at (a migrated store's), else 1.
    static func upsert(_ batch: [Envelope], revisions: [Int]? = nil, in db: Database) throws -> WriteResult {
        try upsert(SQLitePreparedRows(batch), revisions: revisions, in: db)
    }

    /// Writes prepared rows: texts interned, one `batches` row per provenance group, then each
    /// record row bound from the prepared arrays.
    static func upsert(_ prepared: SQLitePreparedRows, revisions: [Int]? = nil, in db: Database) throws -> WriteResult {
        guard !prepared.rows.isEmpty else { return WriteResult() }
        if let problem = prepared.hashProblem { throw problem }
        var result = WriteResult()
        var sources = SQLiteInternedKeys(.source), symbols = SQLiteInternedKeys(.symbol)
        var batchIDs: [Int64] = []
        for group in prepared.groups {
            batchIDs.append(
                try insertBatch(
                    group.first, transformations: group.transformations,
                    sourceKey: try sources.key(group.first.provenance.sourceID.rawValue, in: db), in: db))
        }
        let sourceKeys = try prepared.sources.map { try sources.key($0, in: db) }
        let symbolKeys = try prepared.symbols.map { try symbols.key($0, in: db) }
        var used = [Bool](repeating: false, count: batchIDs.count)
        var statements: [TributaryCore.Record.Kind: SQLiteUpsert] = [:]
        // Consecutive rows are mostly one kind: the last statement is reused without a dictionary lookup.
        var last: (kind: TributaryCore.Record.Kind, upsert: SQLiteUpsert)?
        var spans = SQLiteSpanTally()
        // The statements bind the prepared bytes in place: none may point into them once they go.
        defer { for statement in statements.values { statement.clearBindings() } }
        try prepared.bytes.withUnsafeBufferPointer { bytes in
            try prepared.cells.withUnsafeBufferPointer { cells in
                try prepared.rows.withUnsafeBufferPointer { rows in
                    guard let bytes = bytes.baseAddress, let cells = cells.baseAddress, let firstRow = rows.baseAddress else { return }
                    /// Counts a written row's outcome, and its time span when it was stored.
                    func tally(_ outcome: SQLiteUpsert.Outcome, _ row: UnsafePointer<SQLitePreparedRows.Row>, revision: Int, upsert: SQLiteUpsert) {
                        // A migrated row keeps its old revision and counts as updated, as it did before the move.
                        switch outcome {
                        case .inserted where revision > 1: result.updated += 1
                        case .inserted: result.inserted += 1
                        case .updated: result.updated += 1
                        case .unchanged: result.unchanged += 1; return
                        }
                        if upsert.table.hasSpans, let time = row.pointee.time {
                            spans.add(
                                kind: row.pointee.kind, sourceKey: sourceKeys[Int(row.pointee.source)], symbolKey: symbolKeys[Int(row.pointee.symbol)],
                                time: time, key: row.pointee.key)
                        }
                        used[Int(row.pointee.group)] = true
                    }
                    func keys(_ row: UnsafePointer<SQLitePreparedRows.Row>) -> (source: Int64, symbol: Int64, batch: Int64) {
                        (sourceKeys[Int(row.pointee.source)], symbolKeys[Int(row.pointee.symbol)], batchIDs[Int(row.pointee.group)])
                    }
                    // Rows of distinct identities, new at revision 1, go several to a statement.
                    let many = revisions == nil && prepared.distinctKeys ? SQLiteUpsert.rowsPerInsert : 0
                    var index = 0
                    while index < rows.count {
                        let row = firstRow + index
                        let kind = row.pointee.kind
                        let upsert: SQLiteUpsert
                        if let last, last.kind == kind {
                            upsert = last.upsert
                        } else if let known = statements[kind] {
                            upsert = known
                        } else {
                            upsert = try SQLiteUpsert(SQLiteKindTable.table(for: kind), in: db)
                            statements[kind] = upsert
                        }
                        last = (kind, upsert)
                        if many > 0, index + many <= rows.count, (1..<many).allSatisfy({ (row + $0).pointee.kind == kind }) {
                            if try upsert.insertMany(row, cells: cells, bytes: bytes, keys: keys) {
                                for offset in 0..<many { tally(.inserted, row + offset, revision: 1, upsert: upsert) }
                            } else {
                                for offset in 0..<many {
                                    let key = keys(row + offset)
                                    let outcome = try upsert.settle(
                                        row + offset, cells: cells, bytes: bytes, sourceKey: key.source, symbolKey: key.symbol, batch: key.batch)
                                    tally(outcome, row + offset, revision: 1, upsert: upsert)
                                }
                            }
                            index += many
                            continue
                        }
                        let key = keys(row)
                        let revision = revisions?[index] ?? 1
                        let outcome = try upsert.write(
                            row, cells: cells, bytes: bytes, sourceKey: key.source, symbolKey: key.symbol, batch: key.batch, revision: revision)
                        tally(outcome, row, revision: revision, upsert: upsert)
                        index += 1
                    }
                }
            }
        }
        try spans.write(in: db)
        // A batch whose every record was already stored unchanged keeps no row.
        for (group, id) in batchIDs.enumerated() where !used[group] { try db.execute(sql: "DELETE FROM batches WHERE id = ?", arguments: [id]) }
        return result
    }

    /// The insert of a new record row: ?1… in ``SQLiteKindTable/common`` then kind column order;
    /// with `rows`, that many rows, each's parameters after the one before's.
    static func insertSQL(_ table: SQLiteKindTable, rows: Int = 1) -> String {
        let names = SQLiteKindTable.common + table.columns.columns.map(\.name)
        let values = (0..<rows).map { row in "(\(names.indices.map { "?\(row * names.count + $0 + 1)" }.joined(separator: ", ")))" }
        return "INSERT OR IGNORE INTO \(table.name) (\(names.joined(separator: ", "))) VALUES \(values.joined(separator: ", "))"
    }

    /// The batch of the row with an identity (?1 source key, ?2 symbol key, ?3 key).
    static func storedBatchSQL(_ table: SQLiteKindTable) -> String {
        "SELECT batch FROM \(table.name) WHERE source_key = ?1 AND symbol_key = ?2 AND key = ?3"
    }

    /// The revision of a stored row whose content hash differs, with the insert's parameters.
    static func updateSQL(_ table: SQLiteKindTable) -> String {
        let names = SQLiteKindTable.common + table.columns.columns.map(\.name)
        let number = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, "?\($0 + 1)") })
        let updates = names.filter { !["source_key", "symbol_key", "key", "revision"].contains($0) }.map { "\($0) = \(number[$0]!)" }
        return """
            UPDATE \(table.name) SET \(updates.joined(separator: ", ")), revision = revision + 1
            WHERE source_key = ?1 AND symbol_key = ?2 AND key = ?3 AND content_hash != \(number["content_hash"]!)
            """
    }

    static func insertBatch(_ envelope: Envelope, transformations: [String], sourceKey: Int64, in db: Database) throws -> Int64 {
        let p = envelope.provenance
        try db.execute(
            sql: """
                INSERT INTO batches (source_key, endpoint, source_type, source_uri, hash_algorithm, ingested_at, observed_at, purpose,
                                     classification, parent_id, transformations, ingested_by, batch_id, request_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                sourceKey, envelope.record.endpoint, p.sourceType.rawValue, p.sourceURI, p.hashAlgorithm,
                p.ingestedAt.nanosecondsSinceEpoch, p.observedAt.nanosecondsSinceEpoch, p.purpose, p.classification, p.parentID,
                JSONWriter.string(.array(transformations.map(JSONValue.string))), p.ingestedBy, p.batchID, p.requestID,
            ])
        return db.lastInsertedRowID
    }

    /// Appends the 32 bytes of `sha256:` + 64 hex digits to `bytes` (once per stored row: one
    /// pass through a table, written in place, no branch per digit — hex digits are random, so
    /// a branch on digit-or-letter mispredicts half the time).
    static func appendHashBytes(_ text: String, to bytes: inout [UInt8]) throws(StoredRowError) {
        var text = text
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(0, count: 32))
        let ok = text.withUTF8 { utf8 -> Bool in
            guard utf8.count == 71, utf8.starts(with: "sha256:".utf8) else { return false }
            return hexValues.withUnsafeBufferPointer { table in
                bytes.withUnsafeMutableBufferPointer { out -> Bool in
                    var valid: UInt8 = 0
                    for i in 0..<32 {
                        let high = table[Int(utf8[7 + 2 * i])], low = table[Int(utf8[8 + 2 * i])]
                        valid |= high | low
                        out[start + i] = high << 4 | (low & 0x0F)
                    }
                    return valid < 16
                }
            }
        }
        guard ok else {
            bytes.removeLast(32)
            throw StoredRowError(table: "records", column: "content_hash", problem: "'\(text.prefix(80))' is not sha256:<64 hex digits>")
        }
    }

    /// Each byte's value as a hex digit, 0xFF for a byte that is not one.
    private static let hexValues: [UInt8] = (0...255).map { byte in
        switch byte {
        case 48...57: UInt8(byte - 48)
        case 97...102: UInt8(byte - 87)
        case 65...70: UInt8(byte - 55)
        default: 0xFF
        }
    }

    // MARK: Reading

    /// The SELECT list for a kind table joined with its batch, source and symbol.
    static func selectSQL(_ table: SQLiteKindTable, extra: String = "") -> String {
        """
        SELECT t.*,\(extra) y.symbol AS symbol, s.id AS source_id, b.endpoint AS b_endpoint, bs.id AS b_source_id, b.source_type AS b_source_type,
               b.source_uri AS b_source_uri, b.hash_algorithm AS b_hash_algorithm, b.ingested_at AS b_ingested_at,
               b.observed_at AS b_observed_at, b.purpose AS b_purpose, b.classification AS b_classification, b.parent_id AS b_parent_id,
               b.transformations AS b_transformations, b.ingested_by AS b_ingested_by, b.batch_id AS b_batch_id, b.request_id AS b_request_id
        FROM \(table.name) t JOIN sources s ON s.key = t.source_key JOIN symbols y ON y.key = t.symbol_key JOIN batches b ON b.id = t.batch JOIN sources bs ON bs.key = b.source_key
        """
    }
}
