import TributaryCore

/// Something that could not be decoded or stored, kept with why so it can be looked at and
/// replayed (`tributary dlq list|show|replay`).
///
/// Two kinds: a **record** that decoded but could not be stored (its full JSON line and its
/// identity, so a replay upserts it unchanged), and a **response** whose body could not be
/// decoded (the raw body and the call that fetched it, so a replay decodes it again — after a
/// connector fix, say).
public struct DeadLetter: Sendable, Hashable {
    public enum Payload: Sendable, Hashable {
        /// A decoded record, as its stored JSON line with the key fields the store needs.
        case record(StoredRecord)
        /// An upstream body that did not decode, with the call that fetched it and its HTTP status.
        case response(call: EndpointCallText, status: Int, body: [UInt8])
        /// An imported row that is not a valid record, with where it is in its file.
        case row(file: String, line: Int, raw: [UInt8])
    }

    public var id: Int64?
    public var source: String
    public var endpoint: String
    public var reason: String
    public var payload: Payload
    public var createdAt: UTCTimestamp
    public var replayedAt: UTCTimestamp?
    /// When it was settled without a replay: its row re-imported cleanly, or resolved by hand.
    public var resolvedAt: UTCTimestamp?
    /// How it was settled (`re-imported from …`, `failed again …`, or the note given to `dlq resolve`).
    public var resolution: String?

    public init(source: String, endpoint: String, reason: String, payload: Payload, createdAt: UTCTimestamp = .now()) {
        self.source = source
        self.endpoint = endpoint
        self.reason = reason
        self.payload = payload
        self.createdAt = createdAt
    }

    /// A record the store refused, kept whole under its own source and endpoint so a replay
    /// upserts it unchanged (the in-process sink and the bus sink both keep refusals this way).
    public init(refused envelope: Envelope, reason: String) {
        self.init(
            source: envelope.record.source.rawValue, endpoint: envelope.record.endpoint, reason: reason, payload: .record(StoredRecord(envelope)))
    }

    /// Bytes kept: the record's line or the raw body.
    public var size: Int {
        switch payload {
        case .record(let row): row.line.utf8.count
        case .response(_, _, let body): body.count
        case .row(_, _, let raw): raw.count
        }
    }

    /// Where it stands: `pending` until it is replayed or resolved; it stays kept either way until deleted.
    public var state: String {
        if replayedAt != nil { return "replayed" }
        if resolvedAt != nil { return "resolved" }
        return "pending"
    }

    /// Still waiting for a replay, a re-import or a person.
    public var isPending: Bool { replayedAt == nil && resolvedAt == nil }

    /// `record`, `response` or `row`.
    public var kindName: String {
        switch payload {
        case .record: "record"
        case .response: "response"
        case .row: "row"
        }
    }
}
