import Foundation
import GRDB
import Pipeline
import TributaryCore

/// Idempotency keys and webhook message ids of the push path, kept across restarts.
extension SQLiteStore {
    /// A completed idempotent request's response, if the key is known and not expired.
    public func idempotentResponse(source: String, key: String, now: Int64) throws -> IdempotentResponse? {
        try pool.read { db in
            try Row.fetchOne(
                db, sql: "SELECT body_hash, status, response FROM idempotency_keys WHERE source = ? AND key = ? AND expires_at > ?",
                arguments: [source, key, now]
            )
            .map { IdempotentResponse(bodyHash: $0["body_hash"], status: $0["status"], response: Array(($0["response"] as Data?) ?? Data())) }
        }
    }

    /// Keeps a completed request's response under its key until `expiresAt` (unix seconds).
    public func saveIdempotentResponse(source: String, key: String, _ saved: IdempotentResponse, now: Int64, expiresAt: Int64) throws {
        let (bodyHash, status, response) = (saved.bodyHash, saved.status, saved.response)
        _ = try guarded { db in
            try db.execute(
                sql: """
                    INSERT INTO idempotency_keys (source, key, body_hash, status, response, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (source, key) DO UPDATE SET body_hash = excluded.body_hash, status = excluded.status, response = excluded.response,
                        created_at = excluded.created_at, expires_at = excluded.expires_at
                    """, arguments: [source, key, bodyHash, status, Data(response), (UTCTimestamp(secondsSinceEpoch: now) ?? .now()).rfc3339, expiresAt])
        }
    }

    /// Remembers a signed webhook's message id; false when it was already seen (a replay).
    /// Ids older than `forgetBefore` (unix seconds) are dropped on the way.
    public func rememberWebhookID(source: String, id: String, now: Int64, forgetBefore: Int64) throws -> Bool {
        try guarded { db in
            if now % 60 == 0 { try db.execute(sql: "DELETE FROM webhook_ids WHERE seen_at < ?", arguments: [forgetBefore]) }
            try db.execute(sql: "INSERT OR IGNORE INTO webhook_ids (source, id, seen_at) VALUES (?, ?, ?)", arguments: [source, id, now])
            return db.changesCount == 1
        }
    }

    /// Forgets keys whose time is up; returns how many.
    @discardableResult
    public func purgeIdempotencyKeys(now: Int64) throws -> Int {
        try guarded { db in
            try db.execute(sql: "DELETE FROM idempotency_keys WHERE expires_at <= ?", arguments: [now])
            return db.changesCount
        }
    }
}
