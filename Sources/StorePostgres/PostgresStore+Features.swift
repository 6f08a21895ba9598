import Foundation
import Pipeline
import PostgresNIO
import TributaryCore

/// Feature rows and backfill checkpoints, as in the SQLite file (times as `timestamptz`: window
/// bounds are whole milliseconds, which it holds exactly).
extension PostgresStore {
    public func upsertFeatures(_ rows: [FeatureRow], computedBy: String, at time: UTCTimestamp, checkpoint: FeatureCheckpoint?) async throws -> WriteResult {
        try await transaction { connection in
            var result = WriteResult()
            for row in rows {
                let returned = try await connection.rows(
                    """
                    INSERT INTO feature_rows (feature_set, version, symbol, source, window_label, start_at, end_at, "values", content_hash,
                        events, corrections, computed_by, computed_at)
                    VALUES ($1, $2::integer, $3, $4, $5, $6::timestamptz, $7::timestamptz, $8::jsonb, $9, $10, $11, $12, $13::timestamptz)
                    ON CONFLICT (feature_set, version, symbol, source, window_label, start_at) DO UPDATE SET
                        end_at = excluded.end_at, "values" = excluded."values", content_hash = excluded.content_hash, events = excluded.events,
                        corrections = excluded.corrections, revision = feature_rows.revision + 1, computed_by = excluded.computed_by,
                        computed_at = excluded.computed_at
                    WHERE feature_rows.content_hash <> excluded.content_hash
                    RETURNING revision::bigint AS revision
                    """,
                    [
                        .text(row.set), .int(Int64(row.version)), .text(row.symbol), .text(row.source.rawValue), .text(row.window),
                        .text(row.start.rfc3339), .text(row.end.rfc3339), .text(row.valuesJSON), .text(row.contentHash),
                        .int(Int64(row.events)), .int(Int64(row.corrections)), .text(computedBy), .text(time.rfc3339),
                    ], logger: self.logger)
                switch try returned.first?.int("revision") {
                case nil: result.unchanged += 1
                case 1?: result.inserted += 1
                default: result.updated += 1
                }
            }
            if let checkpoint {
                try await connection.rows(
                    """
                    INSERT INTO feature_checkpoints (feature_set, version, scope, after_json, state, records, rows, completed, updated_at)
                    VALUES ($1, $2::integer, $3, $4, $5, $6, $7, $8::boolean, $9::timestamptz)
                    ON CONFLICT (feature_set, version, scope) DO UPDATE SET after_json = excluded.after_json, state = excluded.state,
                        records = excluded.records, rows = excluded.rows, completed = excluded.completed, updated_at = excluded.updated_at
                    """,
                    [
                        .text(checkpoint.set), .int(Int64(checkpoint.version)), .text(checkpoint.scope), .text(checkpoint.after?.json),
                        .bytes(checkpoint.state), .int(Int64(checkpoint.records)), .int(Int64(checkpoint.rows)),
                        .text(checkpoint.completed ? "true" : "false"), .text(time.rfc3339),
                    ], logger: self.logger)
            }
            return result
        }
    }

    /// The columns a feature row is read with (times as microseconds since the epoch).
    static let featureColumns = """
        feature_set, version::bigint AS version, symbol, source, window_label, "values"::text AS values_json, content_hash, events, corrections,
        revision::bigint AS revision, computed_by,
        (EXTRACT(EPOCH FROM start_at) * 1000000)::bigint AS start_us, (EXTRACT(EPOCH FROM end_at) * 1000000)::bigint AS end_us,
        (EXTRACT(EPOCH FROM computed_at) * 1000000)::bigint AS computed_us
        """

    public func latestFeatures(set: String, symbol: String) async throws -> [StoredFeatureRow] {
        try await rows(
            """
            SELECT DISTINCT ON (source, window_label) \(Self.featureColumns) FROM feature_rows
            WHERE feature_set = $1 AND symbol = $2
              AND version = (SELECT MAX(version) FROM feature_rows WHERE feature_set = $1 AND symbol = $2)
            ORDER BY source, window_label, start_at DESC
            """, [.text(set), .text(symbol)]
        ).compactMap(Self.storedFeatureRow)
    }

    public func featureRows(set: String, version: Int, symbol: String?, after cursor: FeatureRowCursor?, limit: Int) async throws -> [StoredFeatureRow] {
        var values: [PGValue] = [.text(set), .int(Int64(version))]
        var sql = "SELECT \(Self.featureColumns) FROM feature_rows WHERE feature_set = $1 AND version = $2::integer"
        if let symbol {
            values.append(.text(symbol))
            sql += " AND symbol = $\(values.count)"
        }
        if let cursor {
            values += [.text(UTCTimestamp(nanosecondsSinceEpoch: cursor.start).rfc3339), .text(cursor.source), .text(cursor.symbol), .text(cursor.window)]
            let n = values.count
            sql +=
                " AND (start_at, source COLLATE \"C\", symbol COLLATE \"C\", window_label COLLATE \"C\") > ($\(n - 3)::timestamptz, $\(n - 2), $\(n - 1), $\(n))"
        }
        values.append(.int(Int64(limit)))
        sql += " ORDER BY start_at, source COLLATE \"C\", symbol COLLATE \"C\", window_label COLLATE \"C\" LIMIT $\(values.count)"
        return try await rows(sql, values).compactMap(Self.storedFeatureRow)
    }

    public func featureCheckpoint(set: String, version: Int, scope: String) async throws -> FeatureCheckpoint? {
        try await rows(
            """
            SELECT feature_set, version::bigint AS version, scope, after_json, state, records, rows, completed::text AS completed
            FROM feature_checkpoints WHERE feature_set = $1 AND version = $2::integer AND scope = $3
            """, [.text(set), .int(Int64(version)), .text(scope)]
        ).first.map { row in
            FeatureCheckpoint(
                set: try row.text("feature_set") ?? set, version: Int(try row.int("version") ?? 0), scope: try row.text("scope") ?? scope,
                after: try row.text("after_json").flatMap { RecordQuery.Cursor(json: $0) }, state: try row.bytes("state") ?? [],
                records: Int(try row.int("records") ?? 0), rows: Int(try row.int("rows") ?? 0), completed: try row.text("completed") == "true")
        }
    }

    static func storedFeatureRow(_ row: PostgresRandomAccessRow) throws -> StoredFeatureRow? {
        guard let json = try row.text("values_json"), let values = FeatureRow.values(fromJSON: json), let startUS = try row.int("start_us"),
            let endUS = try row.int("end_us")
        else { return nil }
        let feature = FeatureRow(
            set: try row.text("feature_set") ?? "", version: Int(try row.int("version") ?? 0), source: SourceID(try row.text("source") ?? ""),
            symbol: try row.text("symbol") ?? "", window: try row.text("window_label") ?? "",
            start: UTCTimestamp(nanosecondsSinceEpoch: startUS * 1000), end: UTCTimestamp(nanosecondsSinceEpoch: endUS * 1000), values: values,
            events: Int(try row.int("events") ?? 0), corrections: Int(try row.int("corrections") ?? 0))
        return StoredFeatureRow(
            row: feature, revision: Int(try row.int("revision") ?? 1), computedBy: try row.text("computed_by") ?? "",
            computedAt: UTCTimestamp(nanosecondsSinceEpoch: (try row.int("computed_us") ?? 0) * 1000))
    }
}
