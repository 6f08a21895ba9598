import Foundation
import GRDB
import Pipeline
import TributaryCore

/// Dead letters: what could not be decoded or stored, with why and what it holds.
extension SQLiteStore {
    /// Keeps a dead letter; a raw body longer than ``deadLetterMaxBytes`` is cut (and marked truncated).
    @discardableResult
    public func deadLetter(_ letter: DeadLetter) throws -> Int64 {
        try guarded { db in try Self.insert(letter, maxBytes: deadLetterMaxBytes, in: db) }
    }

    static func insert(_ letter: DeadLetter, maxBytes: Int, in db: Database) throws -> Int64 {
        var arguments: [(any DatabaseValueConvertible)?] = [letter.source, letter.endpoint, letter.reason, letter.kindName, letter.createdAt.rfc3339]
        switch letter.payload {
        case .record(let row):
            arguments += [Data(row.line.utf8), 0, nil, nil, row.kind, row.symbol, row.naturalKey, row.contentHash, row.observedAt, row.ingestedAt, row.asOf]
        case .response(let call, let status, let body):
            arguments += [Data(body.prefix(maxBytes)), body.count > maxBytes ? 1 : 0, call.json, status, nil, nil, nil, nil, nil, nil, nil]
        case .row(let file, let line, let raw):
            let location = JSONWriter.string(.object(JSONObject([("file", .string(file)), ("line", .number(String(line)))])))
            arguments += [Data(raw.prefix(maxBytes)), raw.count > maxBytes ? 1 : 0, location, nil, nil, nil, nil, nil, nil, nil, nil]
        }
        try db.execute(
            sql: """
                INSERT INTO dead_letters (source, endpoint, reason, payload, created_at, raw, truncated, call_json, status,
                                          kind, symbol, natural_key, content_hash, observed_at, ingested_at, as_of)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: StatementArguments(arguments))
        return db.lastInsertedRowID
    }

    /// Dead letters, newest first; `pending` leaves out the ones already replayed or resolved.
    public func deadLetters(limit: Int = 100, source: String? = nil, pending: Bool = false) throws -> [DeadLetter] {
        try pool.read { db in
            var conditions: [String] = []
            var arguments: [(any DatabaseValueConvertible)?] = []
            if let source { conditions.append("source = ?"); arguments.append(source) }
            if pending { conditions.append(Self.pendingDeadLetter) }
            let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            arguments.append(limit)
            return try Row.fetchAll(db, sql: "SELECT * FROM dead_letters \(filter) ORDER BY id DESC LIMIT ?", arguments: StatementArguments(arguments))
                .map(Self.deadLetter(from:))
        }
    }

    /// One dead letter by id.
    public func deadLetter(id: Int64) throws -> DeadLetter? {
        try pool.read { db in try Row.fetchOne(db, sql: "SELECT * FROM dead_letters WHERE id = ?", arguments: [id]).map(Self.deadLetter(from:)) }
    }

    /// Marks a dead letter as replayed (it stays, for the record).
    public func markReplayed(id: Int64, at time: UTCTimestamp) throws {
        _ = try guarded { db in try db.execute(sql: "UPDATE dead_letters SET replayed_at = ? WHERE id = ?", arguments: [time.rfc3339, id]) }
    }

    /// The condition a pending dead letter meets.
    static let pendingDeadLetter = "replayed_at IS NULL AND resolved_at IS NULL"

    @discardableResult
    public func resolveDeadLetters(_ resolutions: [DeadLetterResolution], at time: UTCTimestamp) throws -> Int {
        try guarded { db in try Self.resolve(resolutions, at: time, in: db) }
    }

    static func resolve(_ resolutions: [DeadLetterResolution], at time: UTCTimestamp, in db: Database) throws -> Int {
        var resolved = 0
        for resolution in resolutions {
            try db.execute(
                sql: "UPDATE dead_letters SET resolved_at = ?, resolution = ? WHERE id = ? AND \(pendingDeadLetter)",
                arguments: [time.rfc3339, resolution.note, resolution.id])
            resolved += db.changesCount
        }
        return resolved
    }

    @discardableResult
    public func deleteDeadLetters(ids: [Int64]) throws -> Int {
        try guarded { db in
            var deleted = 0
            for id in ids {
                try db.execute(sql: "DELETE FROM dead_letters WHERE id = ?", arguments: [id])
                deleted += db.changesCount
            }
            return deleted
        }
    }

    @discardableResult
    public func deleteSettledDeadLetters(source: String?) throws -> Int {
        try guarded { db in
            let settled = "(replayed_at IS NOT NULL OR resolved_at IS NOT NULL)"
            if let source {
                try db.execute(sql: "DELETE FROM dead_letters WHERE \(settled) AND source = ?", arguments: [source])
            } else {
                try db.execute(sql: "DELETE FROM dead_letters WHERE \(settled)")
            }
            return db.changesCount
        }
    }

    public func pendingRowDeadLetters(source: String, file: String) throws -> [Int: [Int64]] {
        try pool.read { db in
            var lines: [Int: [Int64]] = [:]
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT id, json_extract(call_json, '$.line') AS line FROM dead_letters
                    WHERE source = ? AND payload = 'row' AND json_extract(call_json, '$.file') = ? AND \(Self.pendingDeadLetter)
                    """, arguments: [source, file])
            while let row = try rows.next() { lines[row["line"] ?? 0, default: []].append(row["id"]) }
            return lines
        }
    }

    private static func deadLetter(from row: Row) -> DeadLetter {
        let raw: Data = row["raw"] ?? Data()
        let payload: DeadLetter.Payload
        if row["payload"] == "row" {
            let location = (row["call_json"] as String?).flatMap { try? JSONParser.parse(Array($0.utf8)) }
            payload = .row(file: location?["file"]?.stringValue ?? "", line: Int(location?["line"]?.decimalValue?.description ?? "") ?? 0, raw: Array(raw))
        } else if row["payload"] == "record", let kind: String = row["kind"] {
            payload = .record(
                StoredRecord(
                    source: row["source"], kind: kind, symbol: row["symbol"] ?? "", naturalKey: row["natural_key"] ?? "", endpoint: row["endpoint"],
                    contentHash: row["content_hash"] ?? "", line: String(decoding: raw, as: UTF8.self),
                    observedAt: row["observed_at"] ?? "", ingestedAt: row["ingested_at"] ?? "", asOf: row["as_of"]))
        } else {
            let call =
                (row["call_json"] as String?).flatMap(EndpointCallText.init(json:)) ?? EndpointCallText(endpoint: row["endpoint"], symbols: [], parameters: [:])
            payload = .response(call: call, status: row["status"] ?? 0, body: Array(raw))
        }
        var letter = DeadLetter(
            source: row["source"], endpoint: row["endpoint"], reason: row["reason"], payload: payload,
            createdAt: (row["created_at"] as String?).flatMap { UTCTimestamp(rfc3339: $0) } ?? UTCTimestamp(nanosecondsSinceEpoch: 0))
        letter.id = row["id"]
        letter.replayedAt = (row["replayed_at"] as String?).flatMap { UTCTimestamp(rfc3339: $0) }
        letter.resolvedAt = (row["resolved_at"] as String?).flatMap { UTCTimestamp(rfc3339: $0) }
        letter.resolution = row["resolution"]
        return letter
    }

    public func deadLetterCount(pending: Bool = false) throws -> Int {
        try pool.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM dead_letters" + (pending ? " WHERE \(Self.pendingDeadLetter)" : "")) ?? 0
        }
    }
}
