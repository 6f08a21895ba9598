import Foundation
import GRDB
import Pipeline
import TributaryCore

/// Feature rows (one table for every set: the values are a JSON object of exact decimal text)
/// and backfill checkpoints, committed together.
extension SQLiteStore {
    static let featureTablesSQL = """
        CREATE TABLE feature_rows (
            feature_set TEXT NOT NULL,
            version INTEGER NOT NULL,
            symbol TEXT NOT NULL,
            source TEXT NOT NULL,
            window_label TEXT NOT NULL,
            start_ns INTEGER NOT NULL,
            end_ns INTEGER NOT NULL,
            values_json TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            events INTEGER NOT NULL,
            corrections INTEGER NOT NULL,
            revision INTEGER NOT NULL DEFAULT 1,
            computed_by TEXT NOT NULL,
            computed_at INTEGER NOT NULL,
            PRIMARY KEY (feature_set, version, symbol, source, window_label, start_ns)
        ) WITHOUT ROWID;
        CREATE TABLE feature_checkpoints (
            feature_set TEXT NOT NULL,
            version INTEGER NOT NULL,
            scope TEXT NOT NULL,
            after_json TEXT,
            state BLOB NOT NULL,
            records INTEGER NOT NULL,
            rows INTEGER NOT NULL,
            completed INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            PRIMARY KEY (feature_set, version, scope)
        );
        CREATE VIEW features_view AS
            SELECT feature_set, version, source, symbol, window_label AS window,
                strftime('%Y-%m-%dT%H:%M:%fZ', start_ns / 1000000000.0, 'unixepoch') AS start,
                strftime('%Y-%m-%dT%H:%M:%fZ', end_ns / 1000000000.0, 'unixepoch') AS "end",
                values_json AS "values", events, corrections, revision, content_hash, computed_by
            FROM feature_rows;
        """

    public func upsertFeatures(_ rows: [FeatureRow], computedBy: String, at time: UTCTimestamp, checkpoint: FeatureCheckpoint?) throws -> WriteResult {
        try guarded { db in
            var result = WriteResult()
            let statement = try db.cachedStatement(
                sql: """
                    INSERT INTO feature_rows (feature_set, version, symbol, source, window_label, start_ns, end_ns, values_json, content_hash,
                        events, corrections, computed_by, computed_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (feature_set, version, symbol, source, window_label, start_ns) DO UPDATE SET
                        end_ns = excluded.end_ns, values_json = excluded.values_json, content_hash = excluded.content_hash,
                        events = excluded.events, corrections = excluded.corrections, revision = revision + 1,
                        computed_by = excluded.computed_by, computed_at = excluded.computed_at
                    WHERE content_hash <> excluded.content_hash
                    RETURNING revision
                    """)
            for row in rows {
                let revision = try Int.fetchOne(
                    statement,
                    arguments: [
                        row.set, row.version, row.symbol, row.source.rawValue, row.window, row.start.nanosecondsSinceEpoch, row.end.nanosecondsSinceEpoch,
                        row.valuesJSON, row.contentHash, row.events, row.corrections, computedBy, time.nanosecondsSinceEpoch,
                    ])
                switch revision {
                case nil: result.unchanged += 1
                case 1?: result.inserted += 1
                default: result.updated += 1
                }
            }
            if let checkpoint {
                try db.execute(
                    sql: """
                        INSERT INTO feature_checkpoints (feature_set, version, scope, after_json, state, records, rows, completed, updated_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                        ON CONFLICT (feature_set, version, scope) DO UPDATE SET after_json = excluded.after_json, state = excluded.state,
                            records = excluded.records, rows = excluded.rows, completed = excluded.completed, updated_at = excluded.updated_at
                        """,
                    arguments: [
                        checkpoint.set, checkpoint.version, checkpoint.scope, checkpoint.after?.json, Data(checkpoint.state), checkpoint.records,
                        checkpoint.rows, checkpoint.completed, time.nanosecondsSinceEpoch,
                    ])
            }
            return result
        }
    }

    public func latestFeatures(set: String, symbol: String) throws -> [StoredFeatureRow] {
        try pool.read { db in
            guard
                let version = try Int.fetchOne(db, sql: "SELECT MAX(version) FROM feature_rows WHERE feature_set = ? AND symbol = ?", arguments: [set, symbol])
            else { return [] }
            return try Row.fetchAll(
                db,
                sql: """
                    SELECT f.* FROM feature_rows f JOIN (
                        SELECT source, window_label, MAX(start_ns) AS newest FROM feature_rows
                        WHERE feature_set = ? AND version = ? AND symbol = ? GROUP BY source, window_label
                    ) m ON f.source = m.source AND f.window_label = m.window_label AND f.start_ns = m.newest
                    WHERE f.feature_set = ? AND f.version = ? AND f.symbol = ?
                    ORDER BY f.source, f.window_label
                    """, arguments: [set, version, symbol, set, version, symbol]
            ).compactMap(Self.storedFeatureRow)
        }
    }

    public func featureRows(set: String, version: Int, symbol: String?, after cursor: FeatureRowCursor?, limit: Int) throws -> [StoredFeatureRow] {
        try pool.read { db in
            var sql = "SELECT * FROM feature_rows WHERE feature_set = ? AND version = ?"
            var arguments: StatementArguments = [set, version]
            if let symbol {
                sql += " AND symbol = ?"
                arguments += [symbol]
            }
            if let cursor {
                sql += " AND (start_ns, source, symbol, window_label) > (?, ?, ?, ?)"
                arguments += [cursor.start, cursor.source, cursor.symbol, cursor.window]
            }
            sql += " ORDER BY start_ns, source, symbol, window_label LIMIT ?"
            arguments += [limit]
            return try Row.fetchAll(db, sql: sql, arguments: arguments).compactMap(Self.storedFeatureRow)
        }
    }

    public func featureCheckpoint(set: String, version: Int, scope: String) throws -> FeatureCheckpoint? {
        try pool.read { db in
            try Row.fetchOne(
                db, sql: "SELECT * FROM feature_checkpoints WHERE feature_set = ? AND version = ? AND scope = ?", arguments: [set, version, scope]
            ).map { row in
                FeatureCheckpoint(
                    set: row["feature_set"], version: row["version"], scope: row["scope"],
                    after: (row["after_json"] as String?).flatMap { RecordQuery.Cursor(json: $0) }, state: Array((row["state"] as Data?) ?? Data()),
                    records: row["records"], rows: row["rows"], completed: row["completed"])
            }
        }
    }

    static func storedFeatureRow(_ row: Row) -> StoredFeatureRow? {
        guard let values = FeatureRow.values(fromJSON: row["values_json"]) else { return nil }
        let feature = FeatureRow(
            set: row["feature_set"], version: row["version"], source: SourceID(row["source"] as String), symbol: row["symbol"],
            window: row["window_label"], start: UTCTimestamp(nanosecondsSinceEpoch: row["start_ns"]), end: UTCTimestamp(nanosecondsSinceEpoch: row["end_ns"]),
            values: values, events: row["events"], corrections: row["corrections"])
        return StoredFeatureRow(
            row: feature, revision: row["revision"], computedBy: row["computed_by"], computedAt: UTCTimestamp(nanosecondsSinceEpoch: row["computed_at"]))
    }
}
