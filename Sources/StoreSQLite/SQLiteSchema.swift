import Foundation
import GRDB
import Pipeline
import TributaryCore

/// The schema, versioned: each migration runs once per file, in order.
extension SQLiteStore {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: records and dead letters") { db in
            try db.execute(
                sql: """
                    CREATE TABLE records (
                        id INTEGER PRIMARY KEY,
                        source TEXT NOT NULL,
                        kind TEXT NOT NULL,
                        symbol TEXT NOT NULL,
                        natural_key TEXT NOT NULL,
                        endpoint TEXT NOT NULL,
                        content_hash TEXT NOT NULL,
                        record_json TEXT NOT NULL,
                        observed_at TEXT NOT NULL,
                        ingested_at TEXT NOT NULL,
                        revision INTEGER NOT NULL DEFAULT 1,
                        UNIQUE (source, kind, symbol, natural_key)
                    );
                    CREATE INDEX records_symbol ON records (symbol, kind, observed_at);
                    CREATE TABLE dead_letters (
                        id INTEGER PRIMARY KEY,
                        source TEXT NOT NULL,
                        reason TEXT NOT NULL,
                        raw BLOB,
                        created_at TEXT NOT NULL,
                        replayed_at TEXT
                    );
                    """)
        }
        migrator.registerMigration("v2: dead letters say what they hold") { db in
            try db.execute(
                sql: """
                    ALTER TABLE dead_letters ADD COLUMN endpoint TEXT NOT NULL DEFAULT '';
                    ALTER TABLE dead_letters ADD COLUMN payload TEXT NOT NULL DEFAULT 'record';
                    ALTER TABLE dead_letters ADD COLUMN call_json TEXT;
                    ALTER TABLE dead_letters ADD COLUMN status INTEGER;
                    ALTER TABLE dead_letters ADD COLUMN kind TEXT;
                    ALTER TABLE dead_letters ADD COLUMN symbol TEXT;
                    ALTER TABLE dead_letters ADD COLUMN natural_key TEXT;
                    ALTER TABLE dead_letters ADD COLUMN content_hash TEXT;
                    ALTER TABLE dead_letters ADD COLUMN observed_at TEXT;
                    ALTER TABLE dead_letters ADD COLUMN ingested_at TEXT;
                    ALTER TABLE dead_letters ADD COLUMN truncated INTEGER NOT NULL DEFAULT 0;
                    ALTER TABLE dead_letters ADD COLUMN as_of TEXT;
                    ALTER TABLE records ADD COLUMN as_of TEXT;
                    CREATE INDEX records_latest ON records (symbol, kind, source, as_of);
                    """)
        }
        migrator.registerMigration("v3: gaps") { db in
            try db.execute(
                sql: """
                    CREATE TABLE gaps (
                        id INTEGER PRIMARY KEY,
                        source TEXT NOT NULL,
                        symbol TEXT NOT NULL,
                        interval TEXT NOT NULL,
                        from_start TEXT NOT NULL,
                        to_start TEXT NOT NULL,
                        reason TEXT NOT NULL,
                        detected_at TEXT NOT NULL,
                        UNIQUE (source, symbol, interval, from_start)
                    );
                    """)
        }
        migrator.registerMigration("v4: idempotency keys") { db in
            try db.execute(
                sql: """
                    CREATE TABLE idempotency_keys (
                        source TEXT NOT NULL,
                        key TEXT NOT NULL,
                        body_hash TEXT NOT NULL,
                        status INTEGER NOT NULL,
                        response BLOB NOT NULL,
                        created_at TEXT NOT NULL,
                        expires_at INTEGER NOT NULL,
                        PRIMARY KEY (source, key)
                    );
                    CREATE INDEX idempotency_expiry ON idempotency_keys (expires_at);
                    """)
        }
        migrator.registerMigration("v5: imports") { db in
            try db.execute(
                sql: """
                    CREATE TABLE import_files (
                        file_sha256 TEXT NOT NULL,
                        source TEXT NOT NULL,
                        path TEXT NOT NULL,
                        rows_done INTEGER NOT NULL DEFAULT 0,
                        batches INTEGER NOT NULL DEFAULT 0,
                        stored INTEGER NOT NULL DEFAULT 0,
                        bad_rows INTEGER NOT NULL DEFAULT 0,
                        started_at TEXT NOT NULL,
                        completed_at TEXT,
                        PRIMARY KEY (file_sha256, source)
                    );
                    CREATE TABLE import_columns (
                        source TEXT NOT NULL,
                        name TEXT NOT NULL,
                        type TEXT NOT NULL,
                        first_file TEXT NOT NULL,
                        added_at TEXT NOT NULL,
                        PRIMARY KEY (source, name)
                    );
                    """)
        }
        migrator.registerMigration("v6: drop an index no query uses") { db in
            // records_latest (symbol, kind, source, as_of) serves the latest view; records_symbol
            // only cost an index update per row.
            try db.execute(sql: "DROP INDEX IF EXISTS records_symbol")
        }
        migrator.registerMigration("v7: webhook ids") { db in
            try db.execute(
                sql: """
                    CREATE TABLE webhook_ids (
                        source TEXT NOT NULL,
                        id TEXT NOT NULL,
                        seen_at INTEGER NOT NULL,
                        PRIMARY KEY (source, id)
                    );
                    CREATE INDEX webhook_ids_seen ON webhook_ids (seen_at);
                    """)
        }
        migrator.registerMigration("v8: typed tables, provenance per batch") { db in
            try db.execute(
                sql: """
                    CREATE TABLE sources (key INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE);
                    \(Self.symbolsSQL);
                    CREATE TABLE batches (
                        id INTEGER PRIMARY KEY,
                        source_key INTEGER NOT NULL,
                        endpoint TEXT NOT NULL,
                        source_type TEXT NOT NULL,
                        source_uri TEXT NOT NULL,
                        hash_algorithm TEXT NOT NULL,
                        ingested_at INTEGER NOT NULL,
                        observed_at INTEGER NOT NULL,
                        purpose TEXT NOT NULL,
                        classification TEXT,
                        parent_id TEXT,
                        transformations TEXT NOT NULL,
                        ingested_by TEXT NOT NULL,
                        batch_id TEXT,
                        request_id TEXT NOT NULL
                    );
                    """)
            for table in SQLiteKindTable.all {
                try db.execute(sql: table.createSQL)
                try db.execute(sql: SQLiteViews.view(for: table))
            }
            // The version-1 `records` table (one JSON blob per record) stays until
            // `SQLiteLegacyRecords` has moved its rows, in resumable chunks.
        }
        migrator.registerMigration("v9: an imported row's line as an integer") { db in
            // Tables made by v8 before the column existed get it (a new file's have it already).
            for table in SQLiteKindTable.all where try !db.columns(in: table.name).contains(where: { $0.name == "line" }) {
                try db.execute(sql: "ALTER TABLE \(table.name) ADD COLUMN line INTEGER")
            }
        }
        migrator.registerMigration("v10: dead letters can be resolved") { db in
            try db.execute(sql: "ALTER TABLE dead_letters ADD COLUMN resolved_at TEXT")
            try db.execute(sql: "ALTER TABLE dead_letters ADD COLUMN resolution TEXT")
        }
        migrator.registerMigration("v11: feature rows and backfill checkpoints") { db in
            try db.execute(sql: SQLiteStore.featureTablesSQL)
        }
        migrator.registerMigration("v12: imported objects of buckets and folders") { db in
            try db.execute(
                sql: """
                    CREATE TABLE import_objects (
                        source TEXT NOT NULL,
                        uri TEXT NOT NULL,
                        etag TEXT NOT NULL,
                        size INTEGER NOT NULL,
                        last_modified TEXT,
                        content_sha256 TEXT NOT NULL,
                        status TEXT NOT NULL,
                        rows INTEGER NOT NULL,
                        updated_at TEXT NOT NULL,
                        PRIMARY KEY (source, uri)
                    ) WITHOUT ROWID
                    """)
        }
        migrator.registerMigration("v13: documents and their chunks") { db in
            try db.execute(
                sql: """
                    CREATE TABLE documents (
                        id TEXT PRIMARY KEY,
                        source TEXT NOT NULL,
                        uri TEXT NOT NULL,
                        content_hash TEXT NOT NULL,
                        etag TEXT NOT NULL,
                        version INTEGER NOT NULL,
                        last_modified TEXT,
                        metadata TEXT NOT NULL,
                        status TEXT NOT NULL,
                        error_count INTEGER NOT NULL,
                        error TEXT,
                        updated_at TEXT NOT NULL
                    ) WITHOUT ROWID;
                    CREATE TABLE document_chunks (
                        doc_id TEXT NOT NULL,
                        chunk_hash TEXT NOT NULL,
                        chunk_id INTEGER NOT NULL,
                        byte_offset INTEGER NOT NULL,
                        byte_length INTEGER NOT NULL,
                        text TEXT NOT NULL,
                        PRIMARY KEY (doc_id, chunk_hash)
                    ) WITHOUT ROWID;
                    CREATE INDEX document_chunks_order ON document_chunks (doc_id, chunk_id);
                    """)
        }
        migrator.registerMigration("v14: symbols and integer keys, time spans instead of time indexes") { db in
            // Tables made before this version held each row's symbol as text (and declared
            // `key TEXT`, indexed their time); a new file's v8 tables have the current shape already.
            try db.execute(sql: Self.symbolsSQL)
            for table in SQLiteKindTable.all where try db.columns(in: table.name).contains(where: { $0.name == "symbol" }) {
                try rebuild(table, in: db)
            }
        }
        return migrator
    }

    /// The symbols the kind tables' `symbol_key` stands for.
    static let symbolsSQL = "CREATE TABLE IF NOT EXISTS symbols (key INTEGER PRIMARY KEY, symbol TEXT NOT NULL UNIQUE)"

    /// Copies a kind table into the current shape — symbols become their keys, canonical integer
    /// keys integers (in key order, so the new B-tree is written by appends), trade sides their
    /// codes — then replaces the old table (and its time index) and builds the spans of its rows.
    private static func rebuild(_ table: SQLiteKindTable, in db: Database) throws {
        let columns = SQLiteKindTable.common + table.columns.columns.map(\.name)
        let selected = columns.map { name in
            switch name {
            case "key": "CASE WHEN \(SQLiteStoredKey.isCanonicalIntegerSQL("key")) THEN CAST(key AS INTEGER) ELSE key END"
            case "symbol_key": "(SELECT y.key FROM symbols y WHERE y.symbol = \(table.name).symbol)"
            default: name == table.sideColumn ? SQLiteSide.codeSQL(name) : name
            }
        }
        try db.execute(sql: "INSERT OR IGNORE INTO symbols (symbol) SELECT DISTINCT symbol FROM \(table.name)")
        let rebuilt = "\(table.name)_rebuilt"
        try db.execute(sql: "DROP VIEW IF EXISTS \(table.name)_view")
        try db.execute(sql: table.tableSQL(named: rebuilt))
        try db.execute(
            sql: "INSERT INTO \(rebuilt) (\(columns.joined(separator: ", "))) SELECT \(selected.joined(separator: ", ")) FROM \(table.name) ORDER BY 1, 2, 3")
        try db.execute(sql: "DROP TABLE \(table.name)")
        try db.execute(sql: "ALTER TABLE \(rebuilt) RENAME TO \(table.name)")
        if table.hasSpans, let time = table.timeColumn {
            try db.execute(sql: "DROP TABLE IF EXISTS \(SQLiteTimeSpans.name(table))")
            try db.execute(sql: SQLiteTimeSpans.createSQL(table))
            try db.execute(sql: SQLiteTimeSpans.fillSQL(table, time: time))
        } else if let time = table.timeColumn {
            try db.execute(sql: "CREATE INDEX \(table.name)_latest ON \(table.name) (symbol_key, source_key, \(time))")
        }
        try db.execute(sql: SQLiteViews.view(for: table))
    }
}
