import TributaryCore

/// Reading stored records back, for the HTTP surface and the commands.
public protocol RecordReader: Sendable {
    /// The newest record per source for a symbol and kind (by the time the datum describes).
    func latest(symbol: String, kind: Record.Kind) async throws -> [LatestRecord]

    /// The stored record with this identity, and its revision.
    func storedRecord(source: SourceID, kind: Record.Kind, symbol: String, naturalKey: String) async throws -> (envelope: Envelope, revision: Int)?

    /// How many records are stored.
    func recordCount() async throws -> Int

    /// Up to `limit` records of `query` after `cursor`, oldest first (by time, then source,
    /// symbol and key, so pages neither overlap nor skip).
    func records(_ query: RecordQuery, after cursor: RecordQuery.Cursor?, limit: Int) async throws -> RecordPage
}

/// One source's newest record of a symbol, for the consolidated latest view.
public struct LatestRecord: Sendable, Hashable {
    public var source: String
    public var envelope: Envelope
    public var asOf: UTCTimestamp?

    public init(source: String, envelope: Envelope, asOf: UTCTimestamp?) {
        self.source = source
        self.envelope = envelope
        self.asOf = asOf
    }
}
