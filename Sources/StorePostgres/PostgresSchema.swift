import Logging
import Pipeline
import PostgresNIO
import TributaryCore

/// The PostgreSQL schema, versioned in `tributary_schema`; applied under an advisory lock so two
/// processes starting together do not both create it.
enum PostgresSchema {
    /// Nanoseconds since the epoch (a BIGINT expression) as timestamptz, to the microsecond
    /// (floored). Exact over the whole BIGINT range: the floor division never subtracts past
    /// its bounds, and an interval is multiplied as a float8 only by numbers below 2^53
    /// (whole seconds, then the microseconds below a second).
    static func timestamp(_ nanos: String) -> String {
        let micros = "(\(nanos) / 1000 - CASE WHEN \(nanos) % 1000 < 0 THEN 1 ELSE 0 END)"
        return "('epoch'::timestamptz + (\(micros) / 1000000) * interval '1 second' + (\(micros) % 1000000) * interval '1 microsecond')"
    }

    /// The nanoseconds below the microsecond of a BIGINT nanosecond expression.
    static func nanosRemainder(_ nanos: String) -> String { "((((\(nanos) % 1000) + 1000) % 1000)::smallint)" }

    /// A timestamptz column and its `_ns` remainder back as BIGINT nanoseconds.
    /// (In NUMERIC until the end: the first nanosecond's microsecond times 1,000 is past BIGINT.)
    static func nanos(_ column: String) -> String { "((EXTRACT(EPOCH FROM \(column)) * 1000000000 + \(column)_ns)::bigint)" }

    static func sqlType(_ type: RecordColumns.ColumnType) -> String {
        switch type {
        case .time: "timestamptz"
        case .decimal: "numeric"
        case .text, .side: "text"
        case .integer: "bigint"
        case .json: "jsonb"
        case .date: "date"
        }
    }

    static func createTable(_ table: RecordColumns) -> [String] {
        var columns: [String] = []
        for column in table.columns {
            columns.append("\(column.name) \(sqlType(column.type))\(column.required ? " NOT NULL" : "")")
            if column.type == .time { columns.append("\(column.name)_ns smallint NOT NULL DEFAULT 0") }
        }
        var sql = [
            """
            CREATE TABLE \(table.table) (
                source_key bigint NOT NULL, symbol text NOT NULL, key text NOT NULL, batch bigint NOT NULL,
                venue_symbol text, content_hash bytea NOT NULL, revision bigint NOT NULL DEFAULT 1, extra_transformations text,
                \(columns.joined(separator: ", ")),
                PRIMARY KEY (source_key, symbol, key)
            )
            """
        ]
        if let time = table.timeColumn {
            sql.append("CREATE INDEX \(table.table)_latest ON \(table.table) (symbol, source_key, \(time))")
            // Rows arrive roughly in time order: a BRIN index keeps range scans cheap for a few pages of index.
            sql.append("CREATE INDEX \(table.table)_time_brin ON \(table.table) USING brin (\(time))")
        }
        return sql
    }

    /// A view that reads like the record model (RFC 3339 text times, decimals as text).
    static func createView(_ table: RecordColumns) -> String {
        let kindColumns = table.columns.map { column -> String in
            switch column.type {
            case .time: return "to_char(t.\(column.name) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') AS \(column.name)"
            case .decimal: return "t.\(column.name)::text AS \(column.name)"
            case .text where table.kind == .trade && column.name == "trade_id": return "COALESCE(t.trade_id, t.key) AS trade_id"
            default: return "t.\(column.name)"
            }
        }
        return """
            CREATE VIEW \(table.table)_view AS
            SELECT s.id AS source, b.endpoint, t.symbol, COALESCE(t.venue_symbol, t.symbol) AS venue_symbol, \(kindColumns.joined(separator: ", ")),
                   t.key AS natural_key, t.revision, 'sha256:' || encode(t.content_hash, 'hex') AS content_hash,
                   b.source_type, b.source_uri, b.request_id,
                   to_char(b.observed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS observed_at
            FROM \(table.table) t JOIN sources s ON s.key = t.source_key JOIN batches b ON b.id = t.batch;
            """
    }

    static var version1: [String] {
        [
            "CREATE TABLE sources (key bigserial PRIMARY KEY, id text NOT NULL UNIQUE)",
            """
            CREATE TABLE batches (
                id bigserial PRIMARY KEY, source_key bigint NOT NULL, endpoint text NOT NULL, source_type text NOT NULL, source_uri text NOT NULL,
                hash_algorithm text NOT NULL, ingested_at timestamptz NOT NULL, ingested_at_ns smallint NOT NULL DEFAULT 0,
                observed_at timestamptz NOT NULL, observed_at_ns smallint NOT NULL DEFAULT 0, purpose text NOT NULL, classification text,
                parent_id text, transformations text NOT NULL, ingested_by text NOT NULL, batch_id text, request_id text NOT NULL
            )
            """,
            """
            CREATE TABLE dead_letters (
                id bigserial PRIMARY KEY, source text NOT NULL, endpoint text NOT NULL DEFAULT '', reason text NOT NULL, payload text NOT NULL,
                raw bytea, truncated boolean NOT NULL DEFAULT false, call_json text, status integer, kind text, symbol text, natural_key text,
                content_hash text, observed_at text, ingested_at text, as_of text, created_at text NOT NULL, replayed_at text
            )
            """,
            """
            CREATE TABLE gaps (
                id bigserial PRIMARY KEY, source text NOT NULL, symbol text NOT NULL, interval text NOT NULL, from_start bigint NOT NULL,
                to_start bigint NOT NULL, reason text NOT NULL, detected_at bigint NOT NULL, UNIQUE (source, symbol, interval, from_start)
            )
            """,
            """
            CREATE TABLE idempotency_keys (
                source text NOT NULL, key text NOT NULL, body_hash text NOT NULL, status integer NOT NULL, response bytea NOT NULL,
                created_at bigint NOT NULL, expires_at bigint NOT NULL, PRIMARY KEY (source, key)
            )
            """,
            "CREATE INDEX idempotency_expiry ON idempotency_keys (expires_at)",
            "CREATE TABLE webhook_ids (source text NOT NULL, id text NOT NULL, seen_at bigint NOT NULL, PRIMARY KEY (source, id))",
            "CREATE INDEX webhook_ids_seen ON webhook_ids (seen_at)",
            """
            CREATE TABLE import_files (
                file_sha256 text NOT NULL, source text NOT NULL, path text NOT NULL, rows_done bigint NOT NULL DEFAULT 0,
                batches bigint NOT NULL DEFAULT 0, stored bigint NOT NULL DEFAULT 0, bad_rows bigint NOT NULL DEFAULT 0,
                started_at text NOT NULL, completed_at text, PRIMARY KEY (file_sha256, source)
            )
            """,
            """
            CREATE TABLE import_columns (
                source text NOT NULL, name text NOT NULL, type text NOT NULL, first_file text NOT NULL, added_at text NOT NULL,
                PRIMARY KEY (source, name)
            )
            """,
        ] + RecordColumns.all.flatMap { createTable($0) + [createView($0)] }
    }

    /// Version 2: a dead letter can be resolved (its row re-imported cleanly, or by hand).
    static let version2 = [
        "ALTER TABLE dead_letters ADD COLUMN IF NOT EXISTS resolved_at text",
        "ALTER TABLE dead_letters ADD COLUMN IF NOT EXISTS resolution text",
    ]

    /// Version 3: feature rows (values as `jsonb` of exact decimal text) and backfill checkpoints.
    static let version3 = [
        """
        CREATE TABLE IF NOT EXISTS feature_rows (
            feature_set text NOT NULL, version integer NOT NULL, symbol text NOT NULL, source text NOT NULL, window_label text NOT NULL,
            start_at timestamptz NOT NULL, end_at timestamptz NOT NULL, "values" jsonb NOT NULL, content_hash text NOT NULL,
            events bigint NOT NULL, corrections bigint NOT NULL, revision integer NOT NULL DEFAULT 1,
            computed_by text NOT NULL, computed_at timestamptz NOT NULL,
            PRIMARY KEY (feature_set, version, symbol, source, window_label, start_at)
        )
        """,
        """
        CREATE TABLE IF NOT EXISTS feature_checkpoints (
            feature_set text NOT NULL, version integer NOT NULL, scope text NOT NULL, after_json text, state bytea NOT NULL,
            records bigint NOT NULL, rows bigint NOT NULL, completed boolean NOT NULL, updated_at timestamptz NOT NULL,
            PRIMARY KEY (feature_set, version, scope)
        )
        """,
    ]

    /// Version 4: the objects of buckets and folders each source imported. URIs compare
    /// byte-wise (`COLLATE "C"`), as S3 orders its keys, so a prefix is a range of the key.
    static let version4 = [
        """
        CREATE TABLE IF NOT EXISTS import_objects (
            source text NOT NULL, uri text COLLATE "C" NOT NULL, etag text NOT NULL, size bigint NOT NULL, last_modified text,
            content_sha256 text NOT NULL, status text NOT NULL, rows bigint NOT NULL, updated_at text NOT NULL,
            PRIMARY KEY (source, uri)
        )
        """
    ]

    /// Version 5: documents and their chunks.
    static let version5 = [
        """
        CREATE TABLE IF NOT EXISTS documents (
            id text COLLATE "C" PRIMARY KEY, source text NOT NULL, uri text NOT NULL, content_hash text NOT NULL, etag text NOT NULL,
            version integer NOT NULL, last_modified text, metadata jsonb NOT NULL, status text NOT NULL, error_count integer NOT NULL,
            error text, updated_at text NOT NULL
        )
        """,
        """
        CREATE TABLE IF NOT EXISTS document_chunks (
            doc_id text COLLATE "C" NOT NULL, chunk_hash text NOT NULL, chunk_id integer NOT NULL, byte_offset bigint NOT NULL,
            byte_length bigint NOT NULL, text text NOT NULL, PRIMARY KEY (doc_id, chunk_hash)
        )
        """,
        "CREATE INDEX IF NOT EXISTS document_chunks_order ON document_chunks (doc_id, chunk_id)",
    ]

    static func migrate(_ client: PostgresClient, logger: Logger, acquired: @escaping @Sendable () -> Void = {}) async throws {
        try await client.withTransaction(logger: logger) { connection in
            acquired()
            try await connection.rows("SELECT pg_advisory_xact_lock(7270101)", logger: logger)
            try await connection.rows(
                "CREATE TABLE IF NOT EXISTS tributary_schema (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())", logger: logger)
            let applied = try await connection.rows("SELECT COALESCE(MAX(version), 0) AS version FROM tributary_schema", logger: logger)
            let current = try applied.first?.int("version") ?? 0
            if current < 1 {
                for statement in version1 { try await connection.rows(statement, logger: logger) }
                try await connection.rows("INSERT INTO tributary_schema (version) VALUES (1)", logger: logger)
            }
            if current < 2 {
                for statement in version2 { try await connection.rows(statement, logger: logger) }
                try await connection.rows("INSERT INTO tributary_schema (version) VALUES (2)", logger: logger)
            }
            if current < 3 {
                for statement in version3 { try await connection.rows(statement, logger: logger) }
                try await connection.rows("INSERT INTO tributary_schema (version) VALUES (3)", logger: logger)
            }
            if current < 4 {
                for statement in version4 { try await connection.rows(statement, logger: logger) }
                try await connection.rows("INSERT INTO tributary_schema (version) VALUES (4)", logger: logger)
            }
            if current < 5 {
                for statement in version5 { try await connection.rows(statement, logger: logger) }
                try await connection.rows("INSERT INTO tributary_schema (version) VALUES (5)", logger: logger)
            }
        }
    }
}
