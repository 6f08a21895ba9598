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
    public func extra(_ envelope: borrowing Envelope) -> [String]? {
        let rest = Array(envelope.provenance.transformations.dropFirst(transformations.count))
        return rest.isEmpty ? nil : rest
    }

    /// A member's own transformations as a store keeps them. An imported row's are exactly
    /// `line:N`, which fits an integer column (3 bytes, not a 15-byte JSON array per row).
    public enum OwnSteps: Sendable, Equatable {
        case none
        case line(Int64)
        case other([String])
    }

    /// This member's transformations beyond the batch's, in the form a store keeps.
    public func ownSteps(_ envelope: borrowing Envelope) -> OwnSteps { Self.ownSteps(envelope, after: transformations.count) }

    /// A member's transformations beyond the first `count` (its batch's), in the form a store keeps.
    public static func ownSteps(_ envelope: borrowing Envelope, after count: Int) -> OwnSteps {
        let leading = envelope.provenance.leadingTransformations.count
        let line = envelope.provenance.transformationLine
        guard leading + (line == nil ? 0 : 1) > count else { return .none }
        if let line, leading == count { return .line(line) }
        return .other(Array(envelope.provenance.transformations[count...]))
    }

    /// The groups of `batch`, in the order their first envelope appears.
    public static func group(_ batch: [Envelope]) -> [ProvenanceBatch] {
        // Groups by a cheap hash of a few of the fields, each candidate then confirmed with
        // `sameBatch` (every field, byte for byte). Encoding the whole provenance as a key per
        // group cost the writer ~3.5 % of a push-heavy process, where every single-event request
        // is a group of its own.
        var index: [Int: [Int]] = [:]
        var groups: [ProvenanceBatch] = []
        var last: Int?
        // Each envelope is read where it lies (a store groups every record it writes), through
        // its address: a copy would retain and release every reference it holds.
        batch.withUnsafeBufferPointer { envelopes in
            guard let start = envelopes.baseAddress else { return }
            // The previous group's first envelope.
            var lastFirst: UnsafePointer<Envelope>?
            for position in envelopes.indices {
                let envelope = start + position
                // Consecutive envelopes of one response or import chunk share a batch: a field-by-field
                // comparison with the previous group settles them without hashing anything.
                if let at = last, let first = lastFirst, sameBatch(first, envelope) {
                    groups[at].members.append(position)
                    groups[at].keepCommonPrefix(with: envelope)
                    continue
                }
                let hash = quickHash(envelope)
                if let at = index[hash]?.first(where: { sameBatch(start + groups[$0].members[0], envelope) }) {
                    last = at
                    groups[at].members.append(position)
                    groups[at].keepCommonPrefix(with: envelope)
                    lastFirst = start + groups[at].members[0]
                } else {
                    index[hash, default: []].append(groups.count)
                    last = groups.count
                    lastFirst = envelope
                    groups.append(ProvenanceBatch(first: envelope.pointee, members: [position], transformations: envelope.pointee.provenance.transformations))
                }
            }
        }
        return groups
    }

    /// A hash of the fields that tell batches apart in practice (a request's id, an import
    /// chunk's batch id, the times, the endpoint): equal for envelopes `sameBatch` calls one
    /// batch, since each is one of the fields it compares byte for byte.
    static func quickHash(_ envelope: UnsafePointer<Envelope>) -> Int {
        var hasher = Hasher()
        func bytes(_ text: String?) {
            guard var text else { return hasher.combine(0 as UInt8) }
            text.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
            hasher.combine(1 as UInt8)
        }
        let provenance = envelope.pointee.provenance
        bytes(provenance.requestID)
        bytes(provenance.batchID)
        bytes(envelope.pointee.record.endpoint)
        hasher.combine(provenance.ingestedAt.nanosecondsSinceEpoch)
        hasher.combine(provenance.observedAt.nanosecondsSinceEpoch)
        return hasher.finalize()
    }

    /// Whether two envelopes share a batch: the endpoint and every provenance field but the
    /// content hash and the transformations equal (text by its bytes, never by canonical
    /// equivalence). Read through their addresses: an envelope
    /// passed by value from where it lies is copied for the call (every reference it holds
    /// retained and released, once per record a store writes).
    static func sameBatch(_ a: UnsafePointer<Envelope>, _ b: UnsafePointer<Envelope>) -> Bool {
        guard a.pointee.record.endpoint.sameBytes(as: b.pointee.record.endpoint) else { return false }
        // Records stamped from one provenance (a response, an import chunk) need no field compared.
        if a.pointee.provenance.isStamped(alike: b.pointee.provenance) { return true }
        let (p, q) = (a.pointee.provenance, b.pointee.provenance)
        return same(p.sourceID.rawValue, q.sourceID.rawValue)
            && p.sourceType == q.sourceType && same(p.sourceURI, q.sourceURI) && same(p.hashAlgorithm, q.hashAlgorithm)
            && p.ingestedAt == q.ingestedAt && p.observedAt == q.observedAt && same(p.purpose, q.purpose)
            && same(p.classification, q.classification) && same(p.parentID, q.parentID) && same(p.ingestedBy, q.ingestedBy)
            && same(p.batchID, q.batchID) && same(p.requestID, q.requestID)
    }

    private static func same(_ a: String?, _ b: String?) -> Bool {
        switch (a, b) {
        case (nil, nil): true
        case (let a?, let b?): a.sameBytes(as: b)
        default: false
        }
    }

    /// Shortens ``transformations`` to what it shares with `other`'s (usually all of it: no copy
    /// then), reading its line step as the number it is held as.
    mutating func keepCommonPrefix(with other: UnsafePointer<Envelope>) {
        let leading = other.pointee.provenance.leadingTransformations
        let line = other.pointee.provenance.transformationLine
        var count = 0
        while count < transformations.count {
            if count < leading.count {
                guard transformations[count].sameBytes(as: leading[count]) else { break }
            } else {
                guard count == leading.count, let line, Provenance.lineNumber(transformations[count]) == line else { break }
            }
            count += 1
        }
        if count < transformations.count { transformations.removeLast(transformations.count - count) }
    }
}
