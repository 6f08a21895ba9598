import Foundation
import Pipeline
import TributaryCore

/// `tributary features backfill`: stored records, read back in time order, through the same
/// ``FeatureEngine`` streaming uses — so backfilled rows are byte-identical to streamed ones
/// for the same records.
///
/// Resumable: after each page of records the rows it produced, the cursor of its last record
/// and the engine's whole state are committed in one transaction; a killed backfill picks up
/// exactly there, with the open windows and the statistics' history it had.
public struct FeatureBackfill: Sendable {
    public let set: FeatureSet
    public let records: any RecordReader
    public let store: any FeatureStore & GapStore
    public var pageSize = 5_000

    public init(set: FeatureSet, records: any RecordReader, store: any FeatureStore & GapStore) {
        self.set = set
        self.records = records
        self.store = store
    }

    /// Which records to read: a range of event time and, optionally, one symbol or source.
    public struct Range: Sendable, Hashable {
        public var from: UTCTimestamp?
        /// Exclusive. Windows ending at or before it are emitted at the end, as if the watermark had reached it.
        public var to: UTCTimestamp?
        public var symbol: String?
        public var source: SourceID?

        public init(from: UTCTimestamp? = nil, to: UTCTimestamp? = nil, symbol: String? = nil, source: SourceID? = nil) {
            (self.from, self.to, self.symbol, self.source) = (from, to, symbol, source)
        }
    }

    public struct Report: Sendable {
        public var records = 0
        public var inserted = 0
        public var updated = 0
        public var unchanged = 0
        public var gaps = 0
        /// Records an earlier, interrupted run had read (this one resumed after them).
        public var resumedAfter = 0
        public var counters = FeatureEngine.Counters()
    }

    /// The checkpoint's scope: the set's input and the range, so a different read starts afresh.
    public func scope(_ range: Range) -> String {
        let query = query(range)
        return [
            "kind=\(query.kind.rawValue)", "symbol=\(query.symbol ?? "*")", "source=\(query.source?.rawValue ?? "*")",
            "from=\(query.from.map { String($0.nanosecondsSinceEpoch) } ?? "-")", "to=\(query.to.map { String($0.nanosecondsSinceEpoch) } ?? "-")",
        ].joined(separator: ";")
    }

    func query(_ range: Range) -> RecordQuery {
        // A set of one symbol or one source reads only those records.
        let symbol = range.symbol ?? (set.input.symbols?.count == 1 ? set.input.symbols?.first : nil)
        let source = range.source ?? (set.input.sources?.count == 1 ? set.input.sources?.first : nil)
        return RecordQuery(kind: set.input.kind.recordKind, symbol: symbol, source: source, from: range.from, to: range.to)
    }

    /// Runs (or resumes) the backfill; `restart` ignores a saved checkpoint.
    public func run(_ range: Range, restart: Bool = false, progress: (Report) -> Void = { _ in }) async throws -> Report {
        let scope = scope(range)
        var report = Report()
        var engine = FeatureEngine(set: set)
        var cursor: RecordQuery.Cursor?
        if !restart, let saved = try await store.featureCheckpoint(set: set.name, version: set.version, scope: scope) {
            engine = try FeatureEngine(set: set, restoring: saved.state)
            cursor = saved.after
            report.resumedAfter = saved.records
            report.records = saved.records
        }
        let query = query(range)
        while true {
            try Task.checkCancellation()
            let page = try await records.records(query, after: cursor, limit: pageSize)
            var output = engine.ingest(page.envelopes)
            report.records += page.envelopes.count
            if let last = page.envelopes.last { cursor = RecordQuery.Cursor(after: last) }
            let finished = page.next == nil
            if finished, let to = range.to {
                let closing = engine.close(through: to.nanosecondsSinceEpoch)
                output.rows += closing.rows
                output.gaps += closing.gaps
            }
            let checkpoint = FeatureCheckpoint(
                set: set.name, version: set.version, scope: scope, after: cursor, state: try engine.encodedState(), records: report.records,
                rows: report.inserted + report.updated + report.unchanged + output.rows.count, completed: finished)
            let result = try await store.upsertFeatures(output.rows, computedBy: "backfill", at: .now(), checkpoint: checkpoint)
            if !output.gaps.isEmpty { report.gaps += try await store.recordGaps(output.gaps, detectedAt: .now()) }
            report.inserted += result.inserted
            report.updated += result.updated
            report.unchanged += result.unchanged
            report.counters = engine.counters
            progress(report)
            if finished { return report }
        }
    }
}
