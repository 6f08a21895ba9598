/// Where a record came from and what happened to it on the way in.
///
/// Attached to every record so that any stored value can be traced back to the request (or
/// webhook, or file line) that produced it, and so duplicates can be recognised by
/// `contentHash` whatever time they arrived. `sourceURI` never carries keys or signatures.
public struct Provenance: Sendable, Hashable {
    /// How the datum entered Tributary.
    public enum SourceType: String, Sendable, Hashable { case rest, webhook, file, s3 }

    /// Every field but the content hash and the transformations: what the records of one
    /// response, push request or import chunk share.
    struct Shared: Sendable, Hashable {
        var sourceID: SourceID
        var sourceType: SourceType
        var sourceURI: String
        var hashAlgorithm: String
        var ingestedAt: UTCTimestamp
        var observedAt: UTCTimestamp
        var purpose: String
        var classification: String?
        var parentID: String?
        var ingestedBy: String
        var batchID: String?
        var requestID: String
    }

    /// The shared fields, held by one immutable object that a batch's records all point to:
    /// copying a record's provenance retains it once instead of a dozen strings, and a store
    /// grouping records by batch compares two provenances by identity before field by field.
    /// Setting a shared field gives this provenance an object of its own (copy on write).
    private final class Box: Sendable {
        let fields: Shared
        init(_ fields: Shared) { self.fields = fields }
    }

    private var box: Box
    /// The content hash: its 32 bytes when it is the canonical `sha256:` text (every hash
    /// Tributary computes), else the text as given. One form per value, so `==` holds.
    private var storedHash: StoredHash
    /// `sha256:` and 64 hex digits over the canonical record, provenance excluded.
    public var contentHash: String {
        get {
            switch storedHash {
            case .digest(let digest): digest.text
            case .text(let text): text
            }
        }
        set { storedHash = StoredHash(newValue) }
    }
    /// The content hash's 32 bytes, when it is a SHA-256 in canonical form (what a store's hash
    /// column holds, without the text written and read back).
    public var contentDigest: ContentDigest? {
        if case .digest(let digest) = storedHash { return digest }
        return nil
    }
    /// The steps applied between the upstream's bytes and this record, in order.
    public var transformations: [String] {
        get {
            guard let line = transformationLine else { return leadingTransformations }
            return leadingTransformations + [Self.lineStep(line)]
        }
        set { (leadingTransformations, transformationLine) = Self.split(newValue) }
    }

    /// The steps as held: all but a final canonical `line:N`, and N.
    private static func split(_ steps: [String]) -> (leading: [String], line: Int64?) {
        if let last = steps.last, let line = lineNumber(last) { return (Array(steps.dropLast()), line) }
        return (steps, nil)
    }
    /// ``transformations`` but a final `line:N` step, which ``transformationLine`` holds as its
    /// number. An imported row's steps are then its chunk's one array and an integer — not an
    /// array and a string allocated per row — and a store keeps the number as it is.
    public private(set) var leadingTransformations: [String]
    /// N of a final `line:N` step written as `String(N)` writes it (so it reads back the same);
    /// nil when the last step is anything else. Always split off, so equal lists are equal here.
    public private(set) var transformationLine: Int64?

    private var shared: Shared {
        get { box.fields }
        set { box = Box(newValue) }
    }

    public var sourceID: SourceID {
        get { box.fields.sourceID }
        set { shared.sourceID = newValue }
    }
    public var sourceType: SourceType {
        get { box.fields.sourceType }
        set { shared.sourceType = newValue }
    }
    /// The upstream address with credentials redacted (see ``SourceURIRedactor``).
    public var sourceURI: String {
        get { box.fields.sourceURI }
        set { shared.sourceURI = newValue }
    }
    public var hashAlgorithm: String {
        get { box.fields.hashAlgorithm }
        set { shared.hashAlgorithm = newValue }
    }
    /// When Tributary built this record.
    public var ingestedAt: UTCTimestamp {
        get { box.fields.ingestedAt }
        set { shared.ingestedAt = newValue }
    }
    /// When the upstream's answer was received (or the event/file was observed).
    public var observedAt: UTCTimestamp {
        get { box.fields.observedAt }
        set { shared.observedAt = newValue }
    }
    /// Why the data was collected (`market-data` unless configured).
    public var purpose: String {
        get { box.fields.purpose }
        set { shared.purpose = newValue }
    }
    public var classification: String? {
        get { box.fields.classification }
        set { shared.classification = newValue }
    }
    /// The id of what this record was derived from (for a file import, the file's sha256).
    public var parentID: String? {
        get { box.fields.parentID }
        set { shared.parentID = newValue }
    }
    /// The program and version that ingested it.
    public var ingestedBy: String {
        get { box.fields.ingestedBy }
        set { shared.ingestedBy = newValue }
    }
    public var batchID: String? {
        get { box.fields.batchID }
        set { shared.batchID = newValue }
    }
    /// Correlates the record with log lines of the request that produced it.
    public var requestID: String {
        get { box.fields.requestID }
        set { shared.requestID = newValue }
    }

    public init(
        sourceID: SourceID, sourceType: SourceType, sourceURI: String, contentHash: String,
        hashAlgorithm: String = "sha256", ingestedAt: UTCTimestamp, observedAt: UTCTimestamp,
        purpose: String = "market-data", classification: String? = nil, parentID: String? = nil,
        transformations: [String] = [], ingestedBy: String = Provenance.ingestedByDefault, batchID: String? = nil,
        requestID: String
    ) {
        self.box = Box(
            Shared(
                sourceID: sourceID, sourceType: sourceType, sourceURI: sourceURI, hashAlgorithm: hashAlgorithm,
                ingestedAt: ingestedAt, observedAt: observedAt, purpose: purpose, classification: classification,
                parentID: parentID, ingestedBy: ingestedBy, batchID: batchID, requestID: requestID))
        self.storedHash = StoredHash(contentHash)
        self.leadingTransformations = []
        self.transformations = transformations
    }

    private init(box: Box, storedHash: StoredHash, leading: [String], line: Int64?) {
        self.box = box
        self.storedHash = storedHash
        self.leadingTransformations = leading
        self.transformationLine = line
    }

    private enum StoredHash: Sendable, Hashable {
        case digest(ContentDigest)
        case text(String)

        init(_ text: String) { self = ContentDigest(text: text).map(StoredHash.digest) ?? .text(text) }
    }

    /// This provenance for another record of the same batch: the shared fields are shared, not
    /// copied (a response's or an import chunk's records are stamped from one of these).
    public func stamping(contentHash: String, transformations: [String]) -> Provenance {
        var copy = self
        copy.contentHash = contentHash
        copy.transformations = transformations
        return copy
    }

    /// As ``stamping(contentHash:transformations:)``, with the hash as ``ContentHasher/digest(_:)``
    /// gives it (no `sha256:` text made per record).
    public func stamping(contentDigest: ContentDigest, transformations: [String]) -> Provenance {
        // Built from its parts (once per record of a response), as below.
        let (leading, line) = Self.split(transformations)
        return Provenance(box: box, storedHash: .digest(contentDigest), leading: leading, line: line)
    }

    /// As ``stamping(contentDigest:transformations:)`` with `transformations` and then `line:N`,
    /// sharing the `transformations` array (an import chunk's rows are stamped from one).
    public func stamping(contentDigest: ContentDigest, transformations: [String], line: Int64) -> Provenance {
        // Built from its parts (once per imported row): a copy of this one would retain, and
        // then release, the hash and steps it replaces.
        if line >= 0 { return Provenance(box: box, storedHash: .digest(contentDigest), leading: transformations, line: line) }
        var copy = self
        copy.storedHash = .digest(contentDigest)
        copy.transformations = transformations + [Self.lineStep(line)]
        return copy
    }

    /// The step a line number stands for.
    public static func lineStep(_ line: Int64) -> String { "line:" + String(line) }

    /// N of `line:N` when N is written as `String(N)` would write it (so it reads back the same):
    /// digits only, no leading zero, at most 18 of them.
    public static func lineNumber(_ step: String) -> Int64? {
        var step = step
        return step.withUTF8 { bytes -> Int64? in
            guard bytes.starts(with: "line:".utf8) else { return nil }
            return CanonicalDigits.value(UnsafeBufferPointer(rebasing: bytes[5...]))
        }
    }

    /// Whether both were stamped from one provenance (``stamping(contentHash:transformations:)``):
    /// then every field but the content hash and the transformations is the same, byte for
    /// byte, and none needs comparing. False says nothing: compare the fields.
    public func isStamped(alike other: Provenance) -> Bool { box === other.box }

    public static func == (lhs: Provenance, rhs: Provenance) -> Bool {
        lhs.storedHash == rhs.storedHash && lhs.transformationLine == rhs.transformationLine
            && lhs.leadingTransformations == rhs.leadingTransformations && (lhs.box === rhs.box || lhs.box.fields == rhs.box.fields)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(box.fields)
        hasher.combine(storedHash)
        hasher.combine(leadingTransformations)
        hasher.combine(transformationLine)
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
