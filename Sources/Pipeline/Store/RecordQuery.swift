import TributaryCore

/// Which stored records to read: one kind, optionally one symbol and source, within a time range
/// (`from` inclusive, `to` exclusive, on the time the record describes), oldest first.
///
/// Read in pages (``RecordReader/records(_:after:limit:)``) so an export streams from the store
/// without holding the result in memory.
public struct RecordQuery: Sendable, Hashable {
    public var kind: Record.Kind
    public var symbol: String?
    public var source: SourceID?
    public var from: UTCTimestamp?
    public var to: UTCTimestamp?

    public init(kind: Record.Kind, symbol: String? = nil, source: SourceID? = nil, from: UTCTimestamp? = nil, to: UTCTimestamp? = nil) {
        self.kind = kind
        self.symbol = symbol
        self.source = source
        self.from = from
        self.to = to
    }

    /// Where a page ended: the last record's time, source, symbol and key (the order of a read).
    public struct Cursor: Sendable, Hashable {
        /// The record's time in nanoseconds; an observation's date as text instead; a balance has neither.
        public var time: Int64?
        public var date: String?
        public var source: String
        public var symbol: String
        public var key: String

        public init(time: Int64?, date: String?, source: String, symbol: String, key: String) {
            (self.time, self.date, self.source, self.symbol, self.key) = (time, date, source, symbol, key)
        }

        /// The cursor just past `envelope`.
        public init(after envelope: Envelope) {
            let record = envelope.record
            var date: String?
            if case .observation(let observation) = record.payload { date = observation.date }
            self.init(
                time: date == nil ? record.asOf?.nanosecondsSinceEpoch : nil, date: date, source: record.source.rawValue,
                symbol: record.symbol, key: envelope.identity ?? record.naturalKey)
        }
    }
}

/// One page of a read, and where the next one starts (nil: this was the last).
public struct RecordPage: Sendable {
    public var envelopes: [Envelope]
    public var next: RecordQuery.Cursor?

    public init(envelopes: [Envelope], next: RecordQuery.Cursor?) {
        self.envelopes = envelopes
        self.next = next
    }
}

extension RecordQuery {
    /// The date (YYYY-MM-DD) of the first midnight at or after `time`: an observation is dated by
    /// its day, which begins at midnight UTC, so it is in `from..<to` when that midnight is.
    public static func firstDate(atOrAfter time: UTCTimestamp) -> String {
        let day: Int64 = 86_400_000_000_000
        let (quotient, remainder) = time.nanosecondsSinceEpoch.quotientAndRemainder(dividingBy: day)
        let days = remainder > 0 ? quotient + 1 : quotient
        let midnight = UTCTimestamp(nanosecondsSinceEpoch: days.multipliedReportingOverflow(by: day).overflow ? time.nanosecondsSinceEpoch : days * day)
        return String(midnight.rfc3339.prefix(10))
    }

    /// True when `envelope` belongs to this query (the in-memory store's filter, and a check
    /// that database adapters agree with it).
    public func matches(_ envelope: Envelope) -> Bool {
        let record = envelope.record
        guard record.kind == kind, symbol.map({ $0.sameBytes(as: record.symbol) }) ?? true,
            source.map({ $0 == record.source }) ?? true
        else { return false }
        if case .observation(let observation) = record.payload {
            if let from, observation.date < Self.firstDate(atOrAfter: from) { return false }
            if let to, observation.date >= Self.firstDate(atOrAfter: to) { return false }
            return true
        }
        guard let time = record.asOf else { return true }
        if let from, time < from { return false }
        if let to, time >= to { return false }
        return true
    }
}

extension RecordQuery.Cursor: Comparable {
    /// The read order: time (or date), then source, symbol and key, comparing text by its bytes
    /// as the databases do.
    public static func < (a: Self, b: Self) -> Bool {
        if a.time != b.time { return (a.time ?? .min) < (b.time ?? .min) }
        if a.date != b.date { return (a.date ?? "").precedesByBytes(b.date ?? "") }
        if !a.source.sameBytes(as: b.source) { return a.source.precedesByBytes(b.source) }
        if !a.symbol.sameBytes(as: b.symbol) { return a.symbol.precedesByBytes(b.symbol) }
        return a.key.precedesByBytes(b.key)
    }
}
