/// One row's field values in an array indexed by ``RecordField``: what an import fills from a
/// row's cells through a column map built once per file, and what ``RecordBuilder`` then reads
/// by index — no dictionary, no hashing of field names, per row.
///
/// It behaves as the `[String: JSONValue]` of a pushed event does (a test holds the two
/// together): a set value replaces the one before it, and a name that is no record field is
/// kept, so the builder reports it as not a field of the record's kind.
public struct RecordFieldSlots: RecordFieldContainer, Sendable {
    private var slots: [JSONValue?] = Array(repeating: nil, count: RecordField.allCases.count)
    private var present = RecordField.Mask()
    /// Values under names that are no record field, in the order they were first set.
    private var others: [(name: String, value: JSONValue)] = []

    public init() {}

    /// Empties every slot, keeping the storage (once per row).
    public mutating func removeAll() {
        var bits = present.bits
        while bits != 0 {
            slots[bits.trailingZeroBitCount] = nil
            bits &= bits - 1
        }
        present = RecordField.Mask()
        if !others.isEmpty { others.removeAll(keepingCapacity: true) }
    }

    public mutating func set(_ value: JSONValue, _ field: RecordField) {
        slots[field.index] = value
        present.bits |= 1 << UInt64(field.index)
    }

    public func value(_ field: RecordField) -> JSONValue? { slots[field.index] }

    public func unknownNames(known: RecordField.Mask) -> [String] {
        var bits = present.bits & ~known.bits
        // Every record asks; nearly every record has none (no array made and sorted then).
        if bits == 0, others.isEmpty { return [] }
        var names = others.map(\.name)
        while bits != 0 {
            names.append(RecordField.allCases[bits.trailingZeroBitCount].rawValue)
            bits &= bits - 1
        }
        return names.sorted()
    }

    public func value(named name: String) -> JSONValue? {
        if let field = RecordField.named(name) { return value(field) }
        return others.first { $0.name == name }?.value
    }

    public mutating func set(_ value: JSONValue, named name: String) {
        if let field = RecordField.named(name) { return set(value, field) }
        if let at = others.firstIndex(where: { $0.name == name }) { others[at].value = value } else { others.append((name, value)) }
    }
}
