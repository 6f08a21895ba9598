import Pipeline
import TributaryCore

/// A feature set's stored rows as CSV or JSON Lines, oldest first, a page at a time
/// (`tributary features export`): training data for a model, exactly as streaming served it.
///
/// CSV: `entity_id, source, symbol, window, start, end`, then the set's value columns (named by
/// the first row; a set version has one list of features), then `events, corrections, revision,
/// content_hash`. Values are exact decimal text, empty where null.
public enum FeatureExport {
    public struct Query: Sendable {
        public var set: String
        public var version: Int
        public var symbol: String?
        public var window: String?
        /// Window starts from (inclusive) and to (exclusive).
        public var from: UTCTimestamp?
        public var to: UTCTimestamp?

        public init(set: String, version: Int, symbol: String? = nil, window: String? = nil, from: UTCTimestamp? = nil, to: UTCTimestamp? = nil) {
            (self.set, self.version, self.symbol, self.window, self.from, self.to) = (set, version, symbol, window, from, to)
        }
    }

    static let leading = ["entity_id", "source", "symbol", "window", "start", "end"]
    static let trailing = ["events", "corrections", "revision", "content_hash"]

    /// Streams the rows to `write`; returns how many.
    @discardableResult
    public static func stream(
        from store: any FeatureStore, _ query: Query, format: RecordExport.Format, pageSize: Int = 1_000, write: ([UInt8]) async throws -> Void
    ) async throws -> Int {
        // Rows start after the cursor: one just before `from` (no source sorts before "").
        var cursor = query.from.map { FeatureRowCursor(start: $0.nanosecondsSinceEpoch, source: "", symbol: "", window: "") }
        var columns: [String]?
        var count = 0
        while true {
            let page = try await store.featureRows(set: query.set, version: query.version, symbol: query.symbol, after: cursor, limit: pageSize)
            var bytes: [UInt8] = []
            var finished = page.count < pageSize
            for stored in page {
                if let to = query.to, stored.row.start >= to {
                    finished = true
                    break
                }
                if let window = query.window, stored.row.window != window { continue }
                switch format {
                case .jsonl:
                    bytes += JSONWriter.encode(stored.json)
                    bytes.append(0x0A)
                case .csv:
                    if columns == nil {
                        let names = stored.row.values.map(\.name)
                        columns = names
                        bytes += Array(((leading + names + trailing).map(RecordExport.quoted).joined(separator: ",") + "\n").utf8)
                    }
                    bytes += Array(csvLine(stored, columns: columns ?? []).utf8)
                }
                count += 1
            }
            if !bytes.isEmpty { try await write(bytes) }
            guard !finished, let last = page.last else { break }
            cursor = last.cursor
        }
        return count
    }

    static func csvLine(_ stored: StoredFeatureRow, columns: [String]) -> String {
        let row = stored.row
        let values = columns.map { name in row.value(name)?.description ?? "" }
        let cells =
            [row.entityID, row.source.rawValue, row.symbol, row.window, row.start.rfc3339, row.end.rfc3339] + values
            + [String(row.events), String(row.corrections), String(stored.revision), row.contentHash]
        return cells.map(RecordExport.quoted).joined(separator: ",") + "\n"
    }
}
