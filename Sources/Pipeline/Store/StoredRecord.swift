import TributaryCore

/// A record as the store keeps it: its identity, content hash, times and JSON line.
public struct StoredRecord: Sendable, Hashable {
    public var source: String
    public var kind: String
    public var symbol: String
    public var naturalKey: String
    public var endpoint: String
    public var contentHash: String
    public var line: String
    public var observedAt: String
    public var ingestedAt: String
    /// The time the datum describes (``Record/asOf``), for the latest view.
    public var asOf: String?

    public init(_ envelope: Envelope) {
        let record = envelope.record
        source = record.source.rawValue
        kind = record.kind.rawValue
        symbol = record.symbol
        naturalKey = envelope.identity ?? record.naturalKey
        endpoint = record.endpoint
        contentHash = envelope.provenance.contentHash
        line = envelope.jsonLine
        observedAt = envelope.provenance.observedAt.rfc3339
        ingestedAt = envelope.provenance.ingestedAt.rfc3339
        asOf = record.asOf?.rfc3339
    }

    public init(
        source: String, kind: String, symbol: String, naturalKey: String, endpoint: String, contentHash: String, line: String, observedAt: String,
        ingestedAt: String, asOf: String?
    ) {
        (self.source, self.kind, self.symbol, self.naturalKey, self.endpoint) = (source, kind, symbol, naturalKey, endpoint)
        (self.contentHash, self.line, self.observedAt, self.ingestedAt) = (contentHash, line, observedAt, ingestedAt)
        self.asOf = asOf
    }
}

extension StoredRecord {
    /// The record and provenance this row holds (its JSON line read back), with its identity.
    public func envelope() throws(Envelope.ReadError) -> Envelope {
        var envelope = try Envelope(jsonLine: line)
        if envelope.record.naturalKey != naturalKey { envelope.identity = naturalKey }
        return envelope
    }
}
