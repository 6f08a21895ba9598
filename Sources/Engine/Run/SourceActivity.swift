import Pipeline
import Synchronization
import TributaryCore

/// What each source has done lately: polls, records, last success and error, the newest `as_of`
/// it delivered, its next poll — the facts `/sources`, `/metrics` and the latest view show.
public final class SourceActivity: Sendable {
    public struct Entry: Sendable, Hashable {
        public var polls = 0
        public var failures = 0
        public var records = 0
        public var lastSuccessAt: UTCTimestamp?
        public var lastErrorAt: UTCTimestamp?
        public var lastError: String?
        /// The newest time any of its records describes.
        public var newestAsOf: UTCTimestamp?
        public var nextPollAt: UTCTimestamp?
        /// Gaps found in its bar series, and the latest one.
        public var gaps = 0
        public var lastGap: Gap?
        /// The first ``maxQuoteSymbols`` symbols it delivered quotes for (the dashboard's prices).
        public var quoteSymbols: [String] = []
        public init() {}

        /// How many quote symbols an entry remembers.
        public static let maxQuoteSymbols = 16

        /// Age of the newest `as_of` at `now`; nil before the first record.
        public func age(at now: UTCTimestamp) -> Duration? {
            newestAsOf.map { now.duration(since: $0) }
        }
    }

    private let entries = Mutex<[SourceID: Entry]>([:])
    /// When the engine started: a source that has delivered nothing for longer than its
    /// threshold since then is stale.
    public let startedAt: UTCTimestamp

    public init(startedAt: UTCTimestamp = .now()) {
        self.startedAt = startedAt
    }

    public func succeeded(_ source: SourceID, records: [Envelope], at now: UTCTimestamp = .now()) {
        let newest = records.lazy.compactMap(\.record.asOf).max()
        entries.withLock { all in
            var entry = all[source, default: Entry()]
            entry.polls += 1
            entry.records += records.count
            entry.lastSuccessAt = now
            if let newest, entry.newestAsOf.map({ $0 < newest }) ?? true { entry.newestAsOf = newest }
            if entry.quoteSymbols.count < Entry.maxQuoteSymbols {
                for envelope in records
                where envelope.record.kind == .quote && entry.quoteSymbols.count < Entry.maxQuoteSymbols
                    && !entry.quoteSymbols.contains(envelope.record.symbol)
                {
                    entry.quoteSymbols.append(envelope.record.symbol)
                }
            }
            all[source] = entry
        }
    }

    public func failed(_ source: SourceID, error: String, at now: UTCTimestamp = .now()) {
        entries.withLock { all in
            var entry = all[source, default: Entry()]
            entry.polls += 1
            entry.failures += 1
            entry.lastErrorAt = now
            entry.lastError = String(error.prefix(300))
            all[source] = entry
        }
    }

    public func gapped(_ source: SourceID, _ gaps: [Gap]) {
        entries.withLock { all in
            all[source, default: Entry()].gaps += gaps.count
            if let last = gaps.max(by: { $0.to < $1.to }) { all[source, default: Entry()].lastGap = last }
        }
    }

    public func nextPolls(_ times: [SourceID: UTCTimestamp]) {
        entries.withLock { all in
            for (source, time) in times { all[source, default: Entry()].nextPollAt = time }
        }
    }

    public subscript(source: SourceID) -> Entry { entries.withLock { $0[source] ?? Entry() } }

    public var all: [SourceID: Entry] { entries.withLock { $0 } }
}
