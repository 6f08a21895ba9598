import Foundation
import NIOCore
import Pipeline
import PostgresNIO
import TributaryCore

/// Records: staged with `COPY … FROM STDIN`, merged by natural key, read back joined with their batch.
extension PostgresStore {
    public func upsert(_ batch: [Envelope]) async throws -> WriteResult {
        guard !batch.isEmpty else { return WriteResult() }
        return try await transaction { connection in try await self.upsert(batch, on: connection) }
    }

    /// The upsert inside a transaction the caller holds (an import batch commits its checkpoint with it).
    func upsert(_ batch: [Envelope], on connection: PostgresConnection) async throws -> WriteResult {
        guard !batch.isEmpty else { return WriteResult() }
        let logger = self.logger
        let cache = sourceKeys
        var result = WriteResult()
        var rows: [TributaryCore.Record.Kind: [KindRow]] = [:]
        var batchIDs: [Int64] = []
        for group in ProvenanceBatch.group(batch) {
            let p = group.first.provenance
            let sourceKey = try await Self.sourceKey(p.sourceID.rawValue, cache: cache, on: connection, logger: logger)
            let inserted = try await connection.rows(
                """
                INSERT INTO batches (source_key, endpoint, source_type, source_uri, hash_algorithm, ingested_at, ingested_at_ns, observed_at, observed_at_ns,
                                     purpose, classification, parent_id, transformations, ingested_by, batch_id, request_id)
                VALUES ($1, $2, $3, $4, $5, \(PostgresSchema.timestamp("$6::bigint")), \(PostgresSchema.nanosRemainder("$6::bigint")),
                        \(PostgresSchema.timestamp("$7::bigint")), \(PostgresSchema.nanosRemainder("$7::bigint")), $8, $9, $10, $11, $12, $13, $14)
                RETURNING id
                """,
                [
                    .int(sourceKey), .text(group.first.record.endpoint), .text(p.sourceType.rawValue), .text(p.sourceURI), .text(p.hashAlgorithm),
                    .int(p.ingestedAt.nanosecondsSinceEpoch), .int(p.observedAt.nanosecondsSinceEpoch), .text(p.purpose), .text(p.classification),
                    .text(p.parentID), .text(JSONWriter.string(.array(group.transformations.map(JSONValue.string)))), .text(p.ingestedBy),
                    .text(p.batchID), .text(p.requestID),
                ], logger: logger)
            guard let id = try inserted.first?.int("id") else { throw PostgresStoreError("the batch row was not inserted") }
            batchIDs.append(id)
            for index in group.members {
                let extra = group.extra(batch[index]).map { JSONWriter.string(.array($0.map(JSONValue.string))) }
                rows[batch[index].record.kind, default: []].append(KindRow(index: index, batch: id, extra: extra))
            }
        }
        var used = Set<Int64>()
        for table in RecordColumns.all {
            guard let kindRows = rows[table.kind] else { continue }
            var sourceKeys: [String: Int64] = [:]
            for row in kindRows where sourceKeys[batch[row.index].record.source.rawValue] == nil {
                let id = batch[row.index].record.source.rawValue
                sourceKeys[id] = try await Self.sourceKey(id, cache: cache, on: connection, logger: logger)
            }
            let copy = CopyRows(batch: batch, rows: kindRows, table: table, sourceKeys: sourceKeys)
            if directCopies.shouldCopyDirectly(table.table) {
                if try await Self.copyDirectly(copy, on: connection, logger: logger) {
                    directCopies.copied(table.table)
                    result.inserted += kindRows.count
                    for row in kindRows { used.insert(row.batch) }
                    continue
                }
                directCopies.conflicted(table.table)
            }
            try await connection.rows(Self.stagingSQL(table), logger: logger)
            try await connection.copyFrom(table: "stage_\(table.table)", columns: Self.stageColumns(table), logger: logger) { writer in
                try await copy.write(to: .stage, writer)
            }
            // One summary row per merge (not one row per record over the wire).
            for summary in try await connection.rows(Self.mergeSQL(table), logger: logger) {
                result.inserted += Int(try summary.int("inserted") ?? 0)
                result.updated += Int(try summary.int("updated") ?? 0)
                for batch in (try summary.text("batches") ?? "").split(separator: ",") {
                    guard let id = Int64(batch) else { throw PostgresStoreError("the merge named batch '\(batch)'") }
                    used.insert(id)
                }
            }
        }
        result.unchanged = batch.count - result.inserted - result.updated
        // A batch whose every record was already stored unchanged keeps no row.
        let unused = batchIDs.filter { !used.contains($0) }
        if !unused.isEmpty {
            try await connection.rows(
                "DELETE FROM batches WHERE id = ANY($1::bigint[])", [.text("{" + unused.map(String.init).joined(separator: ",") + "}")], logger: logger)
        }
        return result
    }

    /// The rows straight into the kind's table, under a savepoint: PostgreSQL's bulk-load speed
    /// when none of their keys is stored yet (an import's usual case). A key already stored, or
    /// one that repeats in the batch, makes PostgreSQL refuse the whole `COPY` (a unique
    /// violation): it is undone to the savepoint and false says "merge them instead". Any other
    /// refusal is the batch's error, as a merge's would be.
    static func copyDirectly(_ copy: CopyRows, on connection: PostgresConnection, logger: Logger) async throws -> Bool {
        try await connection.rows("SAVEPOINT direct_copy", logger: logger)
        do {
            try await connection.copyFrom(table: copy.table.table, columns: tableColumns(copy.table), logger: logger) { writer in
                try await copy.write(to: .table, writer)
            }
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
            try await connection.rows("ROLLBACK TO SAVEPOINT direct_copy", logger: logger)
            // Rolling back keeps the savepoint: released, so a write of many kinds does not stack them.
            try await connection.rows("RELEASE SAVEPOINT direct_copy", logger: logger)
            return false
        }
        try await connection.rows("RELEASE SAVEPOINT direct_copy", logger: logger)
        return true
    }

    /// The columns every kind's table starts with, in the order ``CopyRows`` writes them.
    static let rowColumns = ["source_key", "symbol", "key", "batch", "venue_symbol", "content_hash", "revision", "extra_transformations"]

    /// The kind's table's columns in the order ``CopyRows`` writes them for `.table`.
    static func tableColumns(_ table: RecordColumns) -> [String] {
        rowColumns + table.columns.flatMap { $0.type == .time ? [$0.name, $0.name + "_ns"] : [$0.name] }
    }

    static func stageColumns(_ table: RecordColumns) -> [String] { ["ord"] + rowColumns + table.columns.map(\.name) }

    /// A per-connection staging table, emptied at each commit.
    static func stagingSQL(_ table: RecordColumns) -> String {
        let kindColumns = table.columns.map { column -> String in
            "\(column.name) \(column.type == .time || column.type == .integer ? "bigint" : "text")"
        }
        return """
            CREATE TEMP TABLE IF NOT EXISTS stage_\(table.table) (ord bigint, source_key bigint, symbol text, key text, batch bigint, venue_symbol text,
                content_hash bytea, revision bigint, extra_transformations text, \(kindColumns.joined(separator: ", "))) ON COMMIT DELETE ROWS
            """
    }

    /// Staged rows into the table: the last of each key in the batch wins; an equal content hash changes nothing.
    static func mergeSQL(_ table: RecordColumns) -> String {
        var names = rowColumns
        var values = names.map { "s.\($0)" }
        for column in table.columns {
            names.append(column.name)
            switch column.type {
            case .time:
                values.append(PostgresSchema.timestamp("s.\(column.name)"))
                names.append(column.name + "_ns")
                values.append(PostgresSchema.nanosRemainder("s.\(column.name)"))
            case .decimal: values.append("s.\(column.name)::numeric")
            case .json: values.append("s.\(column.name)::jsonb")
            case .date: values.append("s.\(column.name)::date")
            case .text, .integer, .side: values.append("s.\(column.name)")
            }
        }
        let updates = names.filter { !["source_key", "symbol", "key", "revision"].contains($0) }.map { "\($0) = EXCLUDED.\($0)" }
        // The merge's written rows are counted on the server: an insert has revision 1, an update more.
        return """
            WITH merged AS (
            INSERT INTO \(table.table) AS t (\(names.joined(separator: ", ")))
            SELECT DISTINCT ON (s.source_key, s.symbol, s.key) \(values.joined(separator: ", "))
            FROM stage_\(table.table) s ORDER BY s.source_key, s.symbol, s.key, s.ord DESC
            ON CONFLICT (source_key, symbol, key) DO UPDATE SET \(updates.joined(separator: ", ")), revision = t.revision + 1
            WHERE t.content_hash IS DISTINCT FROM EXCLUDED.content_hash
            RETURNING t.revision, t.batch)
            SELECT count(*) FILTER (WHERE revision = 1) AS inserted, count(*) FILTER (WHERE revision <> 1) AS updated,
                   string_agg(DISTINCT batch::text, ',') AS batches
            FROM merged
            """
    }

    static func sourceKey(_ id: String, cache: SourceKeyCache, on connection: PostgresConnection, logger: Logger) async throws -> Int64 {
        if let key = cache.get(id) { return key }
        let rows = try await connection.rows(
            """
            INSERT INTO sources (id) VALUES ($1) ON CONFLICT (id) DO UPDATE SET id = EXCLUDED.id RETURNING key
            """, [.text(id)], logger: logger)
        guard let key = try rows.first?.int("key") else { throw PostgresStoreError("no key for source '\(id)'") }
        cache.set(id, key)
        return key
    }

    // MARK: Reading

    static func selectSQL(_ table: RecordColumns) -> String {
        let kindColumns = table.columns.map { column -> String in
            switch column.type {
            case .time: "\(PostgresSchema.nanos("t.\(column.name)")) AS \(column.name)"
            case .decimal, .json, .date: "t.\(column.name)::text AS \(column.name)"
            case .text, .integer, .side: "t.\(column.name)"
            }
        }
        return """
            SELECT t.symbol, t.key, t.venue_symbol, t.content_hash, t.revision, t.extra_transformations, \(kindColumns.joined(separator: ", ")),
                   s.id AS source_id, b.endpoint AS b_endpoint, bs.id AS b_source_id, b.source_type AS b_source_type, b.source_uri AS b_source_uri,
                   b.hash_algorithm AS b_hash_algorithm, \(PostgresSchema.nanos("b.ingested_at")) AS b_ingested_at,
                   \(PostgresSchema.nanos("b.observed_at")) AS b_observed_at, b.purpose AS b_purpose, b.classification AS b_classification,
                   b.parent_id AS b_parent_id, b.transformations AS b_transformations, b.ingested_by AS b_ingested_by, b.batch_id AS b_batch_id,
                   b.request_id AS b_request_id
            FROM \(table.table) t JOIN sources s ON s.key = t.source_key JOIN batches b ON b.id = t.batch JOIN sources bs ON bs.key = b.source_key
            """
    }

    static func envelope(from row: PostgresRandomAccessRow, table: RecordColumns) throws -> (Envelope, Int) {
        let key = try row.text("key") ?? ""
        let symbol = try row.text("symbol") ?? ""
        let payload = try table.payload(key: key) { name in
            let column = table.columns.first { $0.name == name }
            if column?.type == .time || column?.type == .integer { return try row.int(name).map(RecordColumns.Value.integer) ?? .null }
            return try row.text(name).map(RecordColumns.Value.text) ?? .null
        }
        let record = TributaryCore.Record(
            source: SourceID(try row.text("source_id") ?? ""), endpoint: try row.text("b_endpoint") ?? "", symbol: symbol,
            venueSymbol: try row.text("venue_symbol") ?? symbol, payload: payload)
        var transformations = Self.strings(try row.text("b_transformations"))
        if let extra = try row.text("extra_transformations") { transformations += Self.strings(extra) }
        guard let type = Provenance.SourceType(rawValue: try row.text("b_source_type") ?? "") else {
            throw PostgresStoreError("batches.source_type is unknown")
        }
        let provenance = Provenance(
            sourceID: SourceID(try row.text("b_source_id") ?? ""), sourceType: type, sourceURI: try row.text("b_source_uri") ?? "",
            contentHash: "sha256:" + ContentHash.hex(try row.bytes("content_hash") ?? []), hashAlgorithm: try row.text("b_hash_algorithm") ?? "",
            ingestedAt: UTCTimestamp(nanosecondsSinceEpoch: try row.int("b_ingested_at") ?? 0),
            observedAt: UTCTimestamp(nanosecondsSinceEpoch: try row.int("b_observed_at") ?? 0), purpose: try row.text("b_purpose") ?? "",
            classification: try row.text("b_classification"), parentID: try row.text("b_parent_id"), transformations: transformations,
            ingestedBy: try row.text("b_ingested_by") ?? "", batchID: try row.text("b_batch_id"), requestID: try row.text("b_request_id") ?? "")
        return (Envelope(record: record, provenance: provenance, identity: key == record.naturalKey ? nil : key), Int(try row.int("revision") ?? 1))
    }

    static func strings(_ json: String?) -> [String] {
        guard let json, case .array(let items)? = try? JSONParser.parse(Array(json.utf8)) else { return [] }
        return items.compactMap(\.stringValue)
    }

    public func latest(symbol: String, kind: TributaryCore.Record.Kind) async throws -> [LatestRecord] {
        let table = RecordColumns.of(kind)
        let order = table.timeColumn.map { time in table.kind == .observation ? "t.\(time) DESC" : "t.\(time) DESC, t.\(time)_ns DESC" } ?? "t.batch DESC"
        let rows = try await rows(
            """
            SELECT * FROM (SELECT DISTINCT ON (t.source_key) \(Self.selectSQL(table).dropFirst("SELECT ".count)) WHERE t.symbol = $1
            ORDER BY t.source_key, \(order)) latest ORDER BY source_id COLLATE "C"
            """, [.text(symbol)])
        return try rows.map { row in
            let (envelope, _) = try Self.envelope(from: row, table: table)
            return LatestRecord(source: envelope.record.source.rawValue, envelope: envelope, asOf: envelope.record.asOf)
        }
    }

    public func storedRecord(source: SourceID, kind: TributaryCore.Record.Kind, symbol: String, naturalKey: String) async throws -> (
        envelope: Envelope, revision: Int
    )? {
        let table = RecordColumns.of(kind)
        let rows = try await rows(
            "\(Self.selectSQL(table)) WHERE s.id = $1 AND t.symbol = $2 AND t.key = $3", [.text(source.rawValue), .text(symbol), .text(naturalKey)])
        return try rows.first.map { try Self.envelope(from: $0, table: table) }
    }

    public func recordCount() async throws -> Int {
        let sum = RecordColumns.all.map { "(SELECT COUNT(*) FROM \($0.table))" }.joined(separator: " + ")
        return Int(try await rows("SELECT (\(sum))::bigint AS n").first?.int("n") ?? 0)
    }

    public func records(_ query: RecordQuery, after cursor: RecordQuery.Cursor?, limit: Int) async throws -> RecordPage {
        let table = RecordColumns.of(query.kind)
        var conditions: [String] = []
        var values: [PGValue] = []
        func bind(_ value: PGValue) -> String { values.append(value); return "$\(values.count)" }
        if let symbol = query.symbol { conditions.append("t.symbol = \(bind(.text(symbol)))") }
        if let source = query.source { conditions.append("s.id = \(bind(.text(source.rawValue)))") }
        let order: [String]
        if query.kind == .observation {
            if let from = query.from { conditions.append("t.date >= \(bind(.text(RecordQuery.firstDate(atOrAfter: from))))::date") }
            if let to = query.to { conditions.append("t.date < \(bind(.text(RecordQuery.firstDate(atOrAfter: to))))::date") }
            order = ["t.date", "s.id COLLATE \"C\"", "t.symbol COLLATE \"C\"", "t.key COLLATE \"C\""]
            if let cursor {
                conditions.append(
                    "(t.date, s.id COLLATE \"C\", t.symbol COLLATE \"C\", t.key COLLATE \"C\") > (\(bind(.text(cursor.date ?? "")))::date, \(bind(.text(cursor.source))), \(bind(.text(cursor.symbol))), \(bind(.text(cursor.key))))"
                )
            }
        } else if let time = table.timeColumn {
            let nanos = PostgresSchema.nanos("t.\(time)")
            if let from = query.from { conditions.append("\(nanos) >= \(bind(.int(from.nanosecondsSinceEpoch)))") }
            if let to = query.to { conditions.append("\(nanos) < \(bind(.int(to.nanosecondsSinceEpoch)))") }
            order = ["t.\(time)", "t.\(time)_ns", "s.id COLLATE \"C\"", "t.symbol COLLATE \"C\"", "t.key COLLATE \"C\""]
            if let cursor {
                let at = bind(.int(cursor.time ?? .min))
                conditions.append(
                    "(t.\(time), t.\(time)_ns, s.id COLLATE \"C\", t.symbol COLLATE \"C\", t.key COLLATE \"C\") > (\(PostgresSchema.timestamp("\(at)::bigint")), \(PostgresSchema.nanosRemainder("\(at)::bigint")), \(bind(.text(cursor.source))), \(bind(.text(cursor.symbol))), \(bind(.text(cursor.key))))"
                )
            }
        } else {
            order = ["s.id COLLATE \"C\"", "t.symbol COLLATE \"C\"", "t.key COLLATE \"C\""]
            if let cursor {
                conditions.append(
                    "(s.id COLLATE \"C\", t.symbol COLLATE \"C\", t.key COLLATE \"C\") > (\(bind(.text(cursor.source))), \(bind(.text(cursor.symbol))), \(bind(.text(cursor.key))))"
                )
            }
        }
        let filter = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        let limitBind = bind(.int(Int64(limit)))
        let rows = try await rows("\(Self.selectSQL(table))\(filter) ORDER BY \(order.joined(separator: ", ")) LIMIT \(limitBind)", values)
        let envelopes = try rows.map { try Self.envelope(from: $0, table: table).0 }
        return RecordPage(envelopes: envelopes, next: envelopes.count == limit ? envelopes.last.map(RecordQuery.Cursor.init(after:)) : nil)
    }
}

/// A failure inside the PostgreSQL adapter that is not the server's (an answer of the wrong shape).
struct PostgresStoreError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
