/// Where a record came from and what happened to it on the way in.
///
/// Attached to every record so that any stored value can be traced back to the request (or
/// webhook, or file line) that produced it, and so duplicates can be recognised by
/// `contentHash` whatever time they arrived. `sourceURI` never carries keys or signatures.
public struct Provenance: Sendable, Hashable {
    /// How the datum entered Tributary.
    public enum SourceType: String, Sendable, Hashable { case rest, webhook, file, s3 }

    public var sourceID: SourceID
    public var sourceType: SourceType
    /// The upstream address with credentials redacted (see ``SourceURIRedactor``).
    public var sourceURI: String
    /// `sha256:` and 64 hex digits over the canonical record, provenance excluded.
    public var contentHash: String
    public var hashAlgorithm: String
    /// When Tributary built this record.
    public var ingestedAt: UTCTimestamp
    /// When the upstream's answer was received (or the event/file was observed).
    public var observedAt: UTCTimestamp
    /// Why the data was collected (`market-data` unless configured).
    public var purpose: String
    public var classification: String?
    /// The id of what this record was derived from (for a file import, the file's sha256).
    public var parentID: String?
    /// The steps applied between the upstream's bytes and this record, in order.
    public var transformations: [String]
    /// The program and version that ingested it.
    public var ingestedBy: String
    public var batchID: String?
    /// Correlates the record with log lines of the request that produced it.
    public var requestID: String

    public init(
        sourceID: SourceID, sourceType: SourceType, sourceURI: String, contentHash: String,
        hashAlgorithm: String = "sha256", ingestedAt: UTCTimestamp, observedAt: UTCTimestamp,
        purpose: String = "market-data", classification: String? = nil, parentID: String? = nil,
        transformations: [String] = [], ingestedBy: String = Provenance.ingestedByDefault, batchID: String? = nil,
        requestID: String
    ) {
        self.sourceID = sourceID
        self.sourceType = sourceType
        self.sourceURI = sourceURI
        self.contentHash = contentHash
        self.hashAlgorithm = hashAlgorithm
        self.ingestedAt = ingestedAt
        self.observedAt = observedAt
        self.purpose = purpose
        self.classification = classification
        self.parentID = parentID
        self.transformations = transformations
        self.ingestedBy = ingestedBy
        self.batchID = batchID
        self.requestID = requestID
    }

    /// The name and version written into `ingested_by`.
    public static let ingestedByDefault = "tributary/\(TributaryVersion.current)"

    public var jsonObject: JSONObject {
        var members: [(key: String, value: JSONValue)] = [
            ("source_id", .string(sourceID.rawValue)),
            ("source_type", .string(sourceType.rawValue)),
            ("source_uri", .string(sourceURI)),
            ("content_hash", .string(contentHash)),
            ("hash_algorithm", .string(hashAlgorithm)),
            ("ingested_at", .string(ingestedAt.rfc3339)),
            ("observed_at", .string(observedAt.rfc3339)),
            ("purpose", .string(purpose)),
        ]
        if let classification { members.append(("classification", .string(classification))) }
        if let parentID { members.append(("parent_id", .string(parentID))) }
        members.append(("transformations", .array(transformations.map(JSONValue.string))))
        members.append(("ingested_by", .string(ingestedBy)))
        if let batchID { members.append(("batch_id", .string(batchID))) }
        members.append(("request_id", .string(requestID)))
        return JSONObject(members)
    }
}

/// The version Tributary reports in provenance and `--version`.
public enum TributaryVersion {
    public static let current = "0.1.0"
}
