import Foundation
import GRDB
import Pipeline
import TributaryCore

/// Holes in bar series, as rows.
extension SQLiteStore {
    /// Records gaps (a gap already recorded with the same start is kept as it was); returns how many were new.
    @discardableResult
    public func recordGaps(_ gaps: [Gap], detectedAt: UTCTimestamp = .now()) throws -> Int {
        guard !gaps.isEmpty else { return 0 }
        return try guarded { db in
            var added = 0
            for gap in gaps {
                try db.execute(
                    sql: """
                        INSERT OR IGNORE INTO gaps (source, symbol, interval, from_start, to_start, reason, detected_at) VALUES (?, ?, ?, ?, ?, ?, ?)
                        """, arguments: [gap.source.rawValue, gap.symbol, gap.interval, gap.from.rfc3339, gap.to.rfc3339, gap.reason, detectedAt.rfc3339])
                added += db.changesCount
            }
            return added
        }
    }

    /// Recorded gaps, newest first.
    public func gaps(source: SourceID? = nil, limit: Int = 100) throws -> [Gap] {
        try pool.read { db in
            let filter = source == nil ? "" : "WHERE source = ?"
            let arguments: StatementArguments = source.map { [$0.rawValue, limit] } ?? [limit]
            return try Row.fetchAll(db, sql: "SELECT * FROM gaps \(filter) ORDER BY from_start DESC, id DESC LIMIT ?", arguments: arguments).compactMap { row in
                guard let from = UTCTimestamp(rfc3339: row["from_start"] as String), let to = UTCTimestamp(rfc3339: row["to_start"] as String) else {
                    return nil
                }
                return Gap(
                    source: SourceID(row["source"] as String), symbol: row["symbol"], interval: row["interval"], from: from, to: to, reason: row["reason"])
            }
        }
    }
}
