import TributaryCore

/// A write's envelopes grouped by the provenance they share, so each group is stored as one
/// `batches` row that its records reference (a response, a push request, an import chunk).
///
/// Envelopes share a batch when every provenance field but the content hash and the
/// transformations is equal byte for byte, and so is the endpoint. The batch keeps the group's
/// common leading transformations; each record keeps the rest (`line:42` for an imported row),
/// so the provenance read back is the one that was written, field for field.
public struct ProvenanceBatch: Sendable {
    /// The group's first envelope: the provenance and endpoint the batch row holds.
    public var first: Envelope
    /// Positions in the write of the envelopes in this group.
    public var members: [Int]
    /// The transformations every member starts with.
    public var transformations: [String]

    /// This member's transformations beyond the batch's; nil when there are none.
    public func extra(_ envelope: Envelope) -> [String]? {
        let rest = Array(envelope.provenance.transformations.dropFirst(transformations.count))
        return rest.isEmpty ? nil : rest
    }

    /// The groups of `batch`, in the order their first envelope appears.
    public static func group(_ batch: [Envelope]) -> [ProvenanceBatch] {
        var index: [[UInt8]: Int] = [:]
        var groups: [ProvenanceBatch] = []
        for (position, envelope) in batch.enumerated() {
            let key = Self.key(envelope)
            if let at = index[key] {
                groups[at].members.append(position)
                groups[at].transformations = commonPrefix(groups[at].transformations, envelope.provenance.transformations)
            } else {
                index[key] = groups.count
                groups.append(ProvenanceBatch(first: envelope, members: [position], transformations: envelope.provenance.transformations))
            }
        }
        return groups
    }

    static func key(_ envelope: Envelope) -> [UInt8] {
        var provenance = envelope.provenance
        provenance.contentHash = ""
        provenance.transformations = []
        var object = provenance.jsonObject
        object.members.append(("endpoint", .string(envelope.record.endpoint)))
        object.members.append(("ingested_ns", .number(String(provenance.ingestedAt.nanosecondsSinceEpoch))))
        object.members.append(("observed_ns", .number(String(provenance.observedAt.nanosecondsSinceEpoch))))
        return JSONWriter.encode(.object(object))
    }

    static func commonPrefix(_ a: [String], _ b: [String]) -> [String] {
        var count = 0
        while count < a.count, count < b.count, Array(a[count].utf8) == Array(b[count].utf8) { count += 1 }
        return Array(a.prefix(count))
    }
}
