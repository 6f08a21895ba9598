import Pipeline
import Synchronization
import TributaryCore

/// Feature rows and backfill checkpoints in memory, with the databases' upsert semantics.
extension InMemoryStore {
    static func featureKey(_ row: FeatureRow) -> [UInt8] {
        [row.set, String(row.version), row.source.rawValue, row.symbol, row.window, String(row.start.nanosecondsSinceEpoch)].flatMap { Array($0.utf8) + [0] }
    }

    static func checkpointKey(_ set: String, _ version: Int, _ scope: String) -> [UInt8] {
        [set, String(version), scope].flatMap { Array($0.utf8) + [0] }
    }

    public func upsertFeatures(_ rows: [FeatureRow], computedBy: String, at time: UTCTimestamp, checkpoint: FeatureCheckpoint?) throws -> WriteResult {
        try write { state in
            var result = WriteResult()
            for row in rows {
                let key = Self.featureKey(row)
                if let stored = state.features[key] {
                    if stored.row.contentHash == row.contentHash {
                        result.unchanged += 1
                        continue
                    }
                    state.features[key] = StoredFeatureRow(row: row, revision: stored.revision + 1, computedBy: computedBy, computedAt: time)
                    result.updated += 1
                } else {
                    state.features[key] = StoredFeatureRow(row: row, revision: 1, computedBy: computedBy, computedAt: time)
                    result.inserted += 1
                }
            }
            if let checkpoint { state.featureCheckpoints[Self.checkpointKey(checkpoint.set, checkpoint.version, checkpoint.scope)] = checkpoint }
            return result
        }
    }

    public func latestFeatures(set: String, symbol: String) -> [StoredFeatureRow] {
        state.withLock { state in
            let rows = state.features.values.filter { $0.row.set == set && $0.row.symbol.sameBytes(as: symbol) }
            guard let version = rows.map(\.row.version).max() else { return [] }
            var newest: [String: StoredFeatureRow] = [:]
            for stored in rows where stored.row.version == version {
                let slot = stored.row.source.rawValue + "\u{0}" + stored.row.window
                if newest[slot].map({ $0.row.start < stored.row.start }) ?? true { newest[slot] = stored }
            }
            return newest.values.sorted { ($0.row.source.rawValue, $0.row.window) < ($1.row.source.rawValue, $1.row.window) }
        }
    }

    public func featureRows(set: String, version: Int, symbol: String?, after cursor: FeatureRowCursor?, limit: Int) -> [StoredFeatureRow] {
        state.withLock { state in
            state.features.values
                .filter { $0.row.set == set && $0.row.version == version && (symbol.map($0.row.symbol.sameBytes(as:)) ?? true) }
                .filter { stored in cursor.map { $0 < stored.cursor } ?? true }
                .sorted { $0.cursor < $1.cursor }
                .prefix(limit).map { $0 }
        }
    }

    public func featureCheckpoint(set: String, version: Int, scope: String) -> FeatureCheckpoint? {
        state.withLock { $0.featureCheckpoints[Self.checkpointKey(set, version, scope)] }
    }
}
