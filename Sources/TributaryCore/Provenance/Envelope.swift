/// A record with its provenance: what the buffer carries and sinks store.
public struct Envelope: Sendable, Hashable {
    public var record: Record
    public var provenance: Provenance

    public init(record: Record, provenance: Provenance) {
        self.record = record
        self.provenance = provenance
    }

    /// Stamps a record fetched over REST with its provenance and content hash.
    public static func rest(
        _ record: Record, sourceURI: String, observedAt: UTCTimestamp, requestID: String,
        transformations: [String], ingestedAt: UTCTimestamp = .now()
    ) -> Envelope {
        Envelope(
            record: record,
            provenance: Provenance(
                sourceID: record.source, sourceType: .rest, sourceURI: SourceURIRedactor.redact(sourceURI),
                contentHash: ContentHash.of(record), ingestedAt: ingestedAt, observedAt: observedAt,
                transformations: transformations, requestID: requestID
            )
        )
    }

    /// One JSON Lines object: the record's fields followed by `provenance`.
    public var jsonObject: JSONObject {
        var object = record.jsonObject()
        object.members.append(("provenance", .object(provenance.jsonObject)))
        return object
    }

    public var jsonLine: String { JSONWriter.string(.object(jsonObject)) }
}
