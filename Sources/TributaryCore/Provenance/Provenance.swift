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
        var tree = ProvenanceTreeWriter()
        writeMembers(to: &tree)
        return JSONObject(tree.members)
    }

    /// Hands each member, in the documented order and leaving out absent optionals, to `writer`:
    /// the one list of provenance's JSON members, behind both the tree and the byte writer.
    func writeMembers(to writer: inout some ProvenanceMemberWriter) {
        writer.member("source_id", sourceID.rawValue)
        writer.member("source_type", sourceType.rawValue)
        writer.member("source_uri", sourceURI)
        writer.member("content_hash", contentHash)
        writer.member("hash_algorithm", hashAlgorithm)
        writer.member("ingested_at", ingestedAt)
        writer.member("observed_at", observedAt)
        writer.member("purpose", purpose)
        if let classification { writer.member("classification", classification) }
        if let parentID { writer.member("parent_id", parentID) }
        writer.member("transformations", transformations)
        writer.member("ingested_by", ingestedBy)
        if let batchID { writer.member("batch_id", batchID) }
        writer.member("request_id", requestID)
    }
}

/// Where provenance's members go: a ``JSONObject`` tree or JSON bytes.
protocol ProvenanceMemberWriter {
    mutating func member(_ key: StaticString, _ value: String)
    mutating func member(_ key: StaticString, _ value: UTCTimestamp)
    mutating func member(_ key: StaticString, _ values: [String])
}

private struct ProvenanceTreeWriter: ProvenanceMemberWriter {
    var members: [(key: String, value: JSONValue)] = []

    mutating func member(_ key: StaticString, _ value: String) { members.append(("\(key)", .string(value))) }
    mutating func member(_ key: StaticString, _ value: UTCTimestamp) { members.append(("\(key)", .string(value.rfc3339))) }
    mutating func member(_ key: StaticString, _ values: [String]) {
        members.append(("\(key)", .array(values.map(JSONValue.string))))
    }
}

/// The version Tributary reports in provenance and `--version`.
public enum TributaryVersion {
    public static let current = "0.1.0"
}
