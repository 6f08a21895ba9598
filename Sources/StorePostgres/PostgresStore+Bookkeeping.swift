import Foundation
import Pipeline
import PostgresNIO
import TributaryCore

/// Dead letters, gaps, idempotency keys, webhook ids and import checkpoints, as in the SQLite file.
extension PostgresStore {
    // MARK: Dead letters

    public func deadLetter(_ letter: DeadLetter) async throws -> Int64 {
        try await transaction { connection in try await self.insert(letter, on: connection) }
    }

    func insert(_ letter: DeadLetter, on connection: PostgresConnection) async throws -> Int64 {
        var values: [PGValue] = [.text(letter.source), .text(letter.endpoint), .text(letter.reason), .text(letter.kindName), .text(letter.createdAt.rfc3339)]
        switch letter.payload {
        case .record(let row):
            values += [
                .bytes(Array(row.line.utf8)), .text("false"), .text(nil), .int(nil), .text(row.kind), .text(row.symbol), .text(row.naturalKey),
                .text(row.contentHash), .text(row.observedAt), .text(row.ingestedAt), .text(row.asOf),
            ]
        case .response(let call, let status, let body):
            values += [
                .bytes(Array(body.prefix(deadLetterMaxBytes))), .text(body.count > deadLetterMaxBytes ? "true" : "false"), .text(call.json),
                .int(Int64(status)), .text(nil), .text(nil), .text(nil), .text(nil), .text(nil), .text(nil), .text(nil),
            ]
        case .row(let file, let line, let raw):
            let location = JSONWriter.string(.object(JSONObject([("file", .string(file)), ("line", .number(String(line)))])))
            values += [
                .bytes(Array(raw.prefix(deadLetterMaxBytes))), .text(raw.count > deadLetterMaxBytes ? "true" : "false"), .text(location),
                .int(nil), .text(nil), .text(nil), .text(nil), .text(nil), .text(nil), .text(nil), .text(nil),
            ]
        }
        let rows = try await connection.rows(
            """
            INSERT INTO dead_letters (source, endpoint, reason, payload, created_at, raw, truncated, call_json, status,
                                      kind, symbol, natural_key, content_hash, observed_at, ingested_at, as_of)
            VALUES ($1, $2, $3, $4, $5, $6, $7::boolean, $8, $9::integer, $10, $11, $12, $13, $14, $15, $16) RETURNING id
            """, values, logger: logger)
        guard let id = try rows.first?.int("id") else { throw PostgresStoreError("the dead letter was not inserted") }
        return id
    }

    public func deadLetters(limit: Int, source: String?, pending: Bool) async throws -> [DeadLetter] {
        var conditions: [String] = []
        var values: [PGValue] = []
        if let source { values.append(.text(source)); conditions.append("source = $\(values.count)") }
        if pending { conditions.append(Self.pendingDeadLetter) }
        values.append(.int(Int64(min(limit, Int(Int32.max)))))
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        return try await rows("SELECT \(Self.deadLetterColumns) FROM dead_letters \(filter) ORDER BY id DESC LIMIT $\(values.count)", values).map(
            Self.deadLetter(from:))
    }

    public func deadLetter(id: Int64) async throws -> DeadLetter? {
        try await rows("SELECT \(Self.deadLetterColumns) FROM dead_letters WHERE id = $1", [.int(id)]).first.map(Self.deadLetter(from:))
    }

    public func markReplayed(id: Int64, at time: UTCTimestamp) async throws {
        _ = try await transaction { connection in
            try await connection.rows("UPDATE dead_letters SET replayed_at = $1 WHERE id = $2", [.text(time.rfc3339), .int(id)], logger: self.logger)
        }
    }

    public func deadLetterCount(pending: Bool) async throws -> Int {
        let filter = pending ? " WHERE \(Self.pendingDeadLetter)" : ""
        return Int(try await rows("SELECT COUNT(*)::bigint AS n FROM dead_letters" + filter).first?.int("n") ?? 0)
    }

    /// The condition a pending dead letter meets.
    static let pendingDeadLetter = "replayed_at IS NULL AND resolved_at IS NULL"

    public func resolveDeadLetters(_ resolutions: [DeadLetterResolution], at time: UTCTimestamp) async throws -> Int {
        try await transaction { connection in try await self.resolve(resolutions, at: time, on: connection) }
    }

    func resolve(_ resolutions: [DeadLetterResolution], at time: UTCTimestamp, on connection: PostgresConnection) async throws -> Int {
        var resolved = 0
        for resolution in resolutions {
            let rows = try await connection.rows(
                "UPDATE dead_letters SET resolved_at = $1, resolution = $2 WHERE id = $3 AND \(Self.pendingDeadLetter) RETURNING id",
                [.text(time.rfc3339), .text(resolution.note), .int(resolution.id)], logger: logger)
            resolved += rows.count
        }
        return resolved
    }

    public func deleteDeadLetters(ids: [Int64]) async throws -> Int {
        guard !ids.isEmpty else { return 0 }
        return try await transaction { connection in
            var deleted = 0
            for id in ids {
                deleted += try await connection.rows("DELETE FROM dead_letters WHERE id = $1 RETURNING id", [.int(id)], logger: self.logger).count
            }
            return deleted
        }
    }

    public func deleteSettledDeadLetters(source: String?) async throws -> Int {
        let settled = "(replayed_at IS NOT NULL OR resolved_at IS NOT NULL)"
        return try await transaction { connection in
            if let source {
                return try await connection.rows(
                    "DELETE FROM dead_letters WHERE \(settled) AND source = $1 RETURNING id", [.text(source)], logger: self.logger
                ).count
            }
            return try await connection.rows("DELETE FROM dead_letters WHERE \(settled) RETURNING id", [], logger: self.logger).count
        }
    }

    public func pendingRowDeadLetters(source: String, file: String) async throws -> [Int: [Int64]] {
        var lines: [Int: [Int64]] = [:]
        let found = try await rows(
            """
            SELECT id, (call_json::jsonb ->> 'line')::bigint AS line FROM dead_letters
            WHERE source = $1 AND payload = 'row' AND call_json::jsonb ->> 'file' = $2 AND \(Self.pendingDeadLetter)
            """, [.text(source), .text(file)])
        for row in found {
            if let id = try row.int("id") { lines[Int(try row.int("line") ?? 0), default: []].append(id) }
        }
        return lines
    }

    static let deadLetterColumns =
        "id, source, endpoint, reason, payload, raw, call_json, status::bigint AS status, kind, symbol, natural_key, content_hash, observed_at, ingested_at, as_of, created_at, replayed_at, resolved_at, resolution"

    static func deadLetter(from row: PostgresRandomAccessRow) throws -> DeadLetter {
        let raw = try row.bytes("raw") ?? []
        let source = try row.text("source") ?? ""
        let endpoint = try row.text("endpoint") ?? ""
        let payload: DeadLetter.Payload
        switch try row.text("payload") {
        case "row":
            let location = try row.text("call_json").flatMap { try? JSONParser.parse(Array($0.utf8)) }
            payload = .row(file: location?["file"]?.stringValue ?? "", line: Int(location?["line"]?.decimalValue?.description ?? "") ?? 0, raw: raw)
        case "record":
            payload = .record(
                StoredRecord(
                    source: source, kind: try row.text("kind") ?? "", symbol: try row.text("symbol") ?? "", naturalKey: try row.text("natural_key") ?? "",
                    endpoint: endpoint, contentHash: try row.text("content_hash") ?? "", line: String(decoding: raw, as: UTF8.self),
                    observedAt: try row.text("observed_at") ?? "", ingestedAt: try row.text("ingested_at") ?? "", asOf: try row.text("as_of")))
        default:
            let call = try row.text("call_json").flatMap(EndpointCallText.init(json:)) ?? EndpointCallText(endpoint: endpoint, symbols: [], parameters: [:])
            payload = .response(call: call, status: Int(try row.int("status") ?? 0), body: raw)
        }
        var letter = DeadLetter(
            source: source, endpoint: endpoint, reason: try row.text("reason") ?? "", payload: payload,
            createdAt: try row.text("created_at").flatMap { UTCTimestamp(rfc3339: $0) } ?? UTCTimestamp(nanosecondsSinceEpoch: 0))
        letter.id = try row.int("id")
        letter.replayedAt = try row.text("replayed_at").flatMap { UTCTimestamp(rfc3339: $0) }
        letter.resolvedAt = try row.text("resolved_at").flatMap { UTCTimestamp(rfc3339: $0) }
        letter.resolution = try row.text("resolution")
        return letter
    }

    // MARK: Gaps

    public func recordGaps(_ gaps: [Gap], detectedAt: UTCTimestamp) async throws -> Int {
        guard !gaps.isEmpty else { return 0 }
        return try await transaction { connection in
            var added = 0
            for gap in gaps {
                added += try await connection.rows(
                    """
                    INSERT INTO gaps (source, symbol, interval, from_start, to_start, reason, detected_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
                    ON CONFLICT DO NOTHING RETURNING id
                    """,
                    [
                        .text(gap.source.rawValue), .text(gap.symbol), .text(gap.interval), .int(gap.from.nanosecondsSinceEpoch),
                        .int(gap.to.nanosecondsSinceEpoch), .text(gap.reason), .int(detectedAt.nanosecondsSinceEpoch),
                    ], logger: self.logger
                ).count
            }
            return added
        }
    }

    public func gaps(source: SourceID?, limit: Int) async throws -> [Gap] {
        let rows =
            source == nil
            ? try await rows("SELECT * FROM gaps ORDER BY from_start DESC, id DESC LIMIT $1", [.int(Int64(limit))])
            : try await rows("SELECT * FROM gaps WHERE source = $1 ORDER BY from_start DESC, id DESC LIMIT $2", [.text(source?.rawValue), .int(Int64(limit))])
        return try rows.map { row in
            Gap(
                source: SourceID(try row.text("source") ?? ""), symbol: try row.text("symbol") ?? "", interval: try row.text("interval") ?? "",
                from: UTCTimestamp(nanosecondsSinceEpoch: try row.int("from_start") ?? 0),
                to: UTCTimestamp(nanosecondsSinceEpoch: try row.int("to_start") ?? 0),
                reason: try row.text("reason") ?? "")
        }
    }

    // MARK: Idempotency keys and webhook ids

    public func idempotentResponse(source: String, key: String, now: Int64) async throws -> IdempotentResponse? {
        try await rows(
            "SELECT body_hash, status::bigint AS status, response FROM idempotency_keys WHERE source = $1 AND key = $2 AND expires_at > $3",
            [.text(source), .text(key), .int(now)]
        ).first.map { row in
            IdempotentResponse(bodyHash: try row.text("body_hash") ?? "", status: Int(try row.int("status") ?? 0), response: try row.bytes("response") ?? [])
        }
    }

    public func saveIdempotentResponse(source: String, key: String, _ response: IdempotentResponse, now: Int64, expiresAt: Int64) async throws {
        _ = try await transaction { connection in
            try await connection.rows(
                """
                INSERT INTO idempotency_keys (source, key, body_hash, status, response, created_at, expires_at) VALUES ($1, $2, $3, $4::integer, $5, $6, $7)
                ON CONFLICT (source, key) DO UPDATE SET body_hash = EXCLUDED.body_hash, status = EXCLUDED.status, response = EXCLUDED.response,
                    created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at
                """,
                [.text(source), .text(key), .text(response.bodyHash), .int(Int64(response.status)), .bytes(response.response), .int(now), .int(expiresAt)],
                logger: self.logger)
        }
    }

    public func purgeIdempotencyKeys(now: Int64) async throws -> Int {
        try await transaction { connection in
            try await connection.rows("DELETE FROM idempotency_keys WHERE expires_at <= $1 RETURNING key", [.int(now)], logger: self.logger).count
        }
    }

    public func rememberWebhookID(source: String, id: String, now: Int64, forgetBefore: Int64) async throws -> Bool {
        try await transaction { connection in
            if now % 60 == 0 { try await connection.rows("DELETE FROM webhook_ids WHERE seen_at < $1", [.int(forgetBefore)], logger: self.logger) }
            return try await connection.rows(
                "INSERT INTO webhook_ids (source, id, seen_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING id",
                [.text(source), .text(id), .int(now)], logger: self.logger
            ).count == 1
        }
    }

    // MARK: Imports

    public func importProgress(fileSHA256: String, source: String) async throws -> ImportProgress? {
        try await rows("SELECT * FROM import_files WHERE file_sha256 = $1 AND source = $2", [.text(fileSHA256), .text(source)]).first.map { row in
            var progress = ImportProgress()
            progress.rowsDone = Int(try row.int("rows_done") ?? 0)
            progress.batches = Int(try row.int("batches") ?? 0)
            progress.stored = Int(try row.int("stored") ?? 0)
            progress.badRows = Int(try row.int("bad_rows") ?? 0)
            progress.completed = try row.text("completed_at") != nil
            return progress
        }
    }

    public func commitImportBatch(_ batch: ImportBatch) async throws -> WriteResult {
        try await transaction { connection in
            let result = try await self.upsert(batch.records, on: connection)
            for letter in batch.deadLetters { _ = try await self.insert(letter, on: connection) }
            _ = try await self.resolve(batch.resolutions, at: .now(), on: connection)
            let now = UTCTimestamp.now().rfc3339
            try await connection.rows(
                """
                INSERT INTO import_files (file_sha256, source, path, rows_done, batches, stored, bad_rows, started_at, completed_at)
                VALUES ($1, $2, $3, $4, 1, $5, $6, $7, $8)
                ON CONFLICT (file_sha256, source) DO UPDATE SET path = EXCLUDED.path, rows_done = EXCLUDED.rows_done,
                    batches = import_files.batches + 1, stored = import_files.stored + EXCLUDED.stored,
                    bad_rows = import_files.bad_rows + EXCLUDED.bad_rows, completed_at = EXCLUDED.completed_at
                """,
                [
                    .text(batch.fileSHA256), .text(batch.source), .text(batch.path), .int(Int64(batch.rowsDone)), .int(Int64(result.stored)),
                    .int(Int64(batch.deadLetters.count)), .text(now), .text(batch.completed ? now : nil),
                ], logger: self.logger)
            if let object = batch.object { try await self.upsert(object, on: connection) }
            return result
        }
    }

    public func importColumns(source: String) async throws -> [String: String] {
        var columns: [String: String] = [:]
        for row in try await rows("SELECT name, type FROM import_columns WHERE source = $1", [.text(source)]) {
            if let name = try row.text("name"), let type = try row.text("type") { columns[name] = type }
        }
        return columns
    }

    public func recordImportColumns(_ columns: [(name: String, type: String)], source: String, file: String) async throws {
        let now = UTCTimestamp.now().rfc3339
        let list = columns.map { ($0.name, $0.type) }
        _ = try await transaction { connection in
            for (name, type) in list {
                try await connection.rows(
                    "INSERT INTO import_columns (source, name, type, first_file, added_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
                    [.text(source), .text(name), .text(type), .text(file), .text(now)], logger: self.logger)
            }
        }
    }
}
