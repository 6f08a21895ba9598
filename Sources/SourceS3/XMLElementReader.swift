/// A small, strict reader for the XML S3 answers with: element texts in document order, as
/// `(path, text)` pairs with paths below the root (`IsTruncated`, `Contents/Key`).
///
/// Why not Foundation's `XMLParser`: it loads libxml2 and ICU into every process (and into the
/// container image) for two tiny documents, and it is a general parser fed untrusted bytes. This
/// reader knows only what S3 sends — elements, attributes (skipped), text, the five predefined
/// entities and character references, CDATA, comments and processing instructions — and
/// refuses everything else: a DOCTYPE (so no entity expansion of any kind), an unknown entity,
/// a mismatched or unclosed element, invalid UTF-8, nesting deeper than `maximumDepth`, text
/// or a second element after the root. Refusal is `nil`; it never traps on any input.
struct XMLElementReader {
    /// Deeper than any S3 answer (ListBucketResult/Contents/Owner/ID is 3).
    static let maximumDepth = 16

    private let bytes: [UInt8]
    private var index = 0

    private init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// The elements of `body`, or nil when it is not a well-formed document this reader accepts.
    static func elements(_ body: [UInt8]) -> [(path: String, text: String)]? {
        var reader = XMLElementReader(body)
        return reader.document()
    }

    private mutating func document() -> [(path: String, text: String)]? {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
        var elements: [(path: String, text: String)] = []
        var stack: [String] = []
        var text: [UInt8] = []
        var sawRoot = false
        /// Where the open direct child of the root was recorded; its text is filled in at its end.
        var childIndex = 0
        while index < bytes.count {
            let byte = bytes[index]
            guard byte == UInt8(ascii: "<") else {
                if stack.isEmpty {
                    // Only white space may stand outside the root.
                    guard Self.isSpace(byte) else { return nil }
                    index += 1
                } else if byte == UInt8(ascii: "&") {
                    guard let scalar = reference() else { return nil }
                    text.append(contentsOf: String(Character(scalar)).utf8)
                } else {
                    text.append(byte)
                    index += 1
                }
                continue
            }
            if skip("<?") {
                guard skip(through: "?>") else { return nil }
            } else if skip("<!--") {
                guard skip(through: "-->") else { return nil }
            } else if skip("<![CDATA[") {
                guard !stack.isEmpty, let end = find("]]>") else { return nil }
                text.append(contentsOf: bytes[index..<end])
                index = end + 3
            } else if skip("<!") {
                // DOCTYPE and anything else declaring: refused, so nothing can define an entity.
                return nil
            } else if skip("</") {
                guard let name = name(), let open = stack.last, name == open else { return nil }
                skipSpace()
                guard skip(">") else { return nil }
                guard close(&stack, &elements, &text, childIndex) else { return nil }
            } else {
                index += 1
                guard let name = name() else { return nil }
                guard !(stack.isEmpty && sawRoot), stack.count < Self.maximumDepth else { return nil }
                guard let selfClosing = attributes() else { return nil }
                stack.append(name)
                sawRoot = true
                text = []
                if stack.count == 2 {
                    childIndex = elements.count
                    elements.append((name, ""))
                }
                if selfClosing { guard close(&stack, &elements, &text, childIndex) else { return nil } }
            }
        }
        guard sawRoot, stack.isEmpty else { return nil }
        return elements
    }

    /// Ends the innermost open element, recording its text under its path below the root.
    private func close(
        _ stack: inout [String], _ elements: inout [(path: String, text: String)], _ text: inout [UInt8], _ childIndex: Int
    ) -> Bool {
        if stack.count >= 2 {
            guard let decoded = String(validating: text, as: UTF8.self) else { return false }
            if stack.count == 2 {
                elements[childIndex].text = decoded
            } else {
                elements.append((stack.dropFirst().joined(separator: "/"), decoded))
            }
        }
        stack.removeLast()
        text = []
        return true
    }

    /// An element name's local part (`s3:Key` → `Key`), read up to white space, `/` or `>`.
    private mutating func name() -> String? {
        let start = index
        while index < bytes.count, !Self.isSpace(bytes[index]), bytes[index] != UInt8(ascii: "/"), bytes[index] != UInt8(ascii: ">"),
            bytes[index] != UInt8(ascii: "<")
        {
            index += 1
        }
        guard index > start, let full = String(validating: bytes[start..<index], as: UTF8.self) else { return nil }
        return full.split(separator: ":", omittingEmptySubsequences: false).last.map(String.init)
    }

    /// Skips a start tag's attributes (quoted values may hold `>` and `/`); true when it is `<x/>`.
    private mutating func attributes() -> Bool? {
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: ">"):
                index += 1
                return false
            case UInt8(ascii: "/"):
                guard index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: ">") else { return nil }
                index += 2
                return true
            case UInt8(ascii: "\""), UInt8(ascii: "'"):
                let quote = bytes[index]
                index += 1
                while index < bytes.count, bytes[index] != quote {
                    guard bytes[index] != UInt8(ascii: "<") else { return nil }
                    index += 1
                }
                guard index < bytes.count else { return nil }
                index += 1
            case UInt8(ascii: "<"):
                return nil
            default:
                index += 1
            }
        }
        return nil
    }

    /// `&amp;` `&lt;` `&gt;` `&quot;` `&apos;` `&#65;` `&#x41;`: the character, or nil.
    private mutating func reference() -> Unicode.Scalar? {
        guard let semicolon = bytes[index...].prefix(12).firstIndex(of: UInt8(ascii: ";")) else { return nil }
        let body = Array(bytes[(index + 1)..<semicolon])
        index = semicolon + 1
        switch body {
        case Array("amp".utf8): return "&"
        case Array("lt".utf8): return "<"
        case Array("gt".utf8): return ">"
        case Array("quot".utf8): return "\""
        case Array("apos".utf8): return "'"
        default:
            guard body.first == UInt8(ascii: "#"), body.count >= 2 else { return nil }
            let hex = body[1] == UInt8(ascii: "x")
            let digits = body.dropFirst(hex ? 2 : 1)
            let allowed = hex ? Array("0123456789abcdefABCDEF".utf8) : Array("0123456789".utf8)
            guard !digits.isEmpty, digits.allSatisfy(allowed.contains), let text = String(validating: digits, as: UTF8.self),
                let value = UInt32(text, radix: hex ? 16 : 10), value != 0
            else { return nil }
            return Unicode.Scalar(value)
        }
    }

    private mutating func skip(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard bytes.count - index >= count else { return false }
        let matches = literal.withUTF8Buffer { literal in
            (0..<count).allSatisfy { bytes[index + $0] == literal[$0] }
        }
        if matches { index += count }
        return matches
    }

    /// Moves past the next `terminator`; false when there is none.
    private mutating func skip(through terminator: StaticString) -> Bool {
        guard let end = find(terminator) else { return false }
        index = end + terminator.utf8CodeUnitCount
        return true
    }

    /// Where the next `terminator` starts, from `index` on.
    private func find(_ terminator: StaticString) -> Int? {
        let pattern = terminator.withUTF8Buffer { Array($0) }
        guard let first = pattern.first, bytes.count >= pattern.count else { return nil }
        var candidate = index
        while candidate <= bytes.count - pattern.count {
            if bytes[candidate] == first, bytes[candidate..<(candidate + pattern.count)].elementsEqual(pattern) { return candidate }
            candidate += 1
        }
        return nil
    }

    private mutating func skipSpace() {
        while index < bytes.count, Self.isSpace(bytes[index]) { index += 1 }
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }
}
