/// HTTP header fields in order, with case-insensitive lookup.
///
/// Kept as an ordered list (not a dictionary) because repeated fields such as `Set-Cookie`
/// are legal and because providers' throttling headers are read by name, case-insensitively.
/// A response's headers stay in their received bytes until something asks for the list:
/// looking up one field scans the bytes without building a `String` per field, which keeps
/// the per-request cost low when (as usual) only one or two fields are read.
public struct HTTPHeaders: Sendable, Hashable, Sequence, ExpressibleByDictionaryLiteral {
    private enum Storage: Sendable {
        case parsed([(name: String, value: String)])
        /// `Name: value` lines ending in CR LF, as received.
        case raw([UInt8])
    }

    private var storage: Storage

    public init(_ fields: [(name: String, value: String)] = []) {
        storage = .parsed(fields)
    }

    public init(dictionaryLiteral elements: (String, String)...) {
        storage = .parsed(elements.map { (name: $0.0, value: $0.1) })
    }

    /// Wraps a raw header block (`Name: value` lines ending in CR LF); lines without a colon
    /// (the status line, the blank end line) are ignored. Parsing happens on first use.
    public init(parsingHeaderBlock block: [UInt8]) {
        storage = .raw(block)
    }

    /// Every field, in order.
    public var fields: [(name: String, value: String)] {
        switch storage {
        case .parsed(let fields): fields
        case .raw(let block): Self.parse(block)
        }
    }

    public mutating func add(name: String, value: String) {
        var current = fields
        current.append((name, value))
        storage = .parsed(current)
    }

    /// Replaces every field of that name with one.
    public mutating func replaceOrAdd(name: String, value: String) {
        var current = fields
        current.removeAll { $0.name.caseInsensitiveEquals(name) }
        current.append((name, value))
        storage = .parsed(current)
    }

    /// The first value of the field, compared case-insensitively.
    public subscript(name: String) -> String? {
        switch storage {
        case .parsed(let fields):
            return fields.first { $0.name.caseInsensitiveEquals(name) }?.value
        case .raw(let block):
            var found: String?
            Self.scan(block) { fieldName, value in
                guard Self.equalsIgnoringCase(fieldName, name) else { return true }
                found = String(decoding: value, as: UTF8.self)
                return false
            }
            return found
        }
    }

    public func values(for name: String) -> [String] {
        fields.filter { $0.name.caseInsensitiveEquals(name) }.map(\.value)
    }

    public var count: Int { fields.count }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> {
        fields.makeIterator()
    }

    public static func == (lhs: HTTPHeaders, rhs: HTTPHeaders) -> Bool {
        let a = lhs.fields, b = rhs.fields
        return a.count == b.count && zip(a, b).allSatisfy { $0 == $1 }
    }

    public func hash(into hasher: inout Hasher) {
        for field in fields {
            hasher.combine(field.name.lowercased())
            hasher.combine(field.value)
        }
    }

    // MARK: Raw block

    private static func parse(_ block: [UInt8]) -> [(name: String, value: String)] {
        var fields: [(name: String, value: String)] = []
        scan(block) { name, value in
            fields.append((String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self)))
            return true
        }
        return fields
    }

    /// Calls `visit` with each field's name and trimmed value bytes until it returns false.
    private static func scan(
        _ block: [UInt8], _ visit: (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>) -> Bool
    ) {
        block.withUnsafeBufferPointer { bytes in
            var lineStart = 0
            while lineStart < bytes.count {
                var lineEnd = lineStart
                while lineEnd < bytes.count, bytes[lineEnd] != 0x0A { lineEnd += 1 }
                var colon = lineStart
                while colon < lineEnd, bytes[colon] != 0x3A { colon += 1 }
                if colon < lineEnd, colon > lineStart {
                    var valueStart = colon + 1
                    var valueEnd = lineEnd
                    while valueStart < valueEnd, bytes[valueStart] == 0x20 || bytes[valueStart] == 0x09 { valueStart += 1 }
                    while valueEnd > valueStart, [0x20, 0x09, 0x0D].contains(bytes[valueEnd - 1]) { valueEnd -= 1 }
                    let name = UnsafeBufferPointer(rebasing: bytes[lineStart..<colon])
                    let value = UnsafeBufferPointer(rebasing: bytes[valueStart..<valueEnd])
                    if !visit(name, value) { return }
                }
                lineStart = lineEnd + 1
            }
        }
    }

    private static func equalsIgnoringCase(_ bytes: UnsafeBufferPointer<UInt8>, _ name: String) -> Bool {
        let other = name.utf8
        guard bytes.count == other.count else { return false }
        return zip(bytes, other).allSatisfy { x, y in x == y || (x | 0x20 == y | 0x20 && (x | 0x20) >= 0x61 && (x | 0x20) <= 0x7A) }
    }
}

extension String {
    func caseInsensitiveEquals(_ other: String) -> Bool {
        let a = utf8, b = other.utf8
        guard a.count == b.count else { return false }
        return zip(a, b).allSatisfy { x, y in
            x == y || (x | 0x20 == y | 0x20 && (x | 0x20) >= 0x61 && (x | 0x20) <= 0x7A)
        }
    }
}
