/// A record with its provenance: what the buffer carries and sinks store.
public struct Envelope: Sendable, Hashable {
    public var record: Record
    public var provenance: Provenance
    /// The record's identity for dedup when a rules `key:` chose its fields; nil: the kind's
    /// natural key (a trade's id, a bar's interval and start, …).
    public var identity: String?

    public init(record: Record, provenance: Provenance, identity: String? = nil) {
        self.record = record
        self.provenance = provenance
        self.identity = identity
    }

    /// Stamps a record fetched over REST with its provenance and content hash.
    public static func rest(
        _ record: Record, sourceURI: String, observedAt: UTCTimestamp, requestID: String,
        transformations: [String], ingestedAt: UTCTimestamp = .now()
    ) -> Envelope {
        // A response of one record: one record in, one envelope out.
        rest([record], sourceURI: sourceURI, observedAt: observedAt, requestID: requestID, transformations: transformations, ingestedAt: ingestedAt)[0]
    }

    /// Stamps the records of one REST response: one provenance shared by all but for each
    /// record's content hash (so the records of a response are one batch without comparing).
    public static func rest(
        _ records: [Record], sourceURI: String, observedAt: UTCTimestamp, requestID: String,
        transformations: [String], ingestedAt: UTCTimestamp = .now()
    ) -> [Envelope] {
        guard let first = records.first else { return [] }
        var hasher = ContentHasher()
        let stamp = Provenance(
            sourceID: first.source, sourceType: .rest, sourceURI: SourceURIRedactor.redact(sourceURI), contentHash: "",
            ingestedAt: ingestedAt, observedAt: observedAt, transformations: transformations, requestID: requestID)
        return records.map { record in
            // Records of one response come from one source; should one not, it gets its own stamp.
            var provenance = stamp.stamping(contentDigest: hasher.digest(record), transformations: transformations)
            if record.source != first.source { provenance.sourceID = record.source }
            return Envelope(record: record, provenance: provenance)
        }
    }

    /// One JSON Lines object: the record's fields followed by `provenance`.
    public var jsonObject: JSONObject {
        var object = record.jsonObject()
        object.members.append(("provenance", .object(provenance.jsonObject)))
        return object
    }

    public var jsonLine: String { String(decoding: jsonBytes, as: UTF8.self) }
}
