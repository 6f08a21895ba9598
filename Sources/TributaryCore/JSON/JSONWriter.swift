/// Serializes ``JSONValue`` trees as compact JSON, optionally in canonical form.
///
/// Canonical form (object keys sorted by their UTF-8 bytes, no whitespace, numbers as
/// written) makes the same record produce the same bytes on every machine, which is what
/// the `sha256:` content hash is computed over.
public struct JSONWriter {
    public var bytes: [UInt8] = []
    public let sortsKeys: Bool

    public init(sortsKeys: Bool = false, reservingCapacity capacity: Int = 512) {
        self.sortsKeys = sortsKeys
        bytes.reserveCapacity(capacity)
    }

    public static func encode(_ value: JSONValue, canonical: Bool = false) -> [UInt8] {
        var writer = JSONWriter(sortsKeys: canonical)
        writer.write(value)
        return writer.bytes
    }

    public static func string(_ value: JSONValue, canonical: Bool = false) -> String {
        String(decoding: encode(value, canonical: canonical), as: UTF8.self)
    }

    public mutating func write(_ value: JSONValue) {
        switch value {
        case .null: bytes.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C])
        case .bool(let flag): bytes.append(contentsOf: flag ? Array("true".utf8) : Array("false".utf8))
        case .number(let text): bytes.append(contentsOf: text.utf8)
        case .string(let text): writeString(text)
        case .array(let items):
            bytes.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { bytes.append(UInt8(ascii: ",")) }
                write(item)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let object):
            bytes.append(UInt8(ascii: "{"))
            // String's < orders ASCII keys exactly as their bytes, and has a fast path for them.
            let members = sortsKeys ? object.members.sorted { $0.key < $1.key } : object.members
            for (i, member) in members.enumerated() {
                if i > 0 { bytes.append(UInt8(ascii: ",")) }
                writeString(member.key)
                bytes.append(UInt8(ascii: ":"))
                write(member.value)
            }
            bytes.append(UInt8(ascii: "}"))
        }
    }

    public mutating func writeString(_ text: String) { Self.writeString(text, to: &bytes) }

    /// A JSON string literal written to any byte output.
    static func writeString<Output: ByteOutput>(_ text: String, to out: inout Output) {
        out.append(UInt8(ascii: "\""))
        // Most strings need no escaping: scan their contiguous UTF-8 once and copy them in one go.
        var text = text
        let copied = text.withUTF8 { utf8 -> Bool in
            for byte in utf8 where byte < 0x20 || byte == 0x22 || byte == 0x5C { return false }
            out.append(contentsOf: utf8)
            return true
        }
        if copied {
            out.append(UInt8(ascii: "\""))
            return
        }
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append("\\\"")
            case UInt8(ascii: "\\"): out.append("\\\\")
            case 0x0A: out.append("\\n")
            case 0x0D: out.append("\\r")
            case 0x09: out.append("\\t")
            case 0..<0x20:
                let hex: StaticString = "0123456789abcdef"
                out.append("\\u00")
                out.append(hex.utf8Start[Int(byte >> 4)])
                out.append(hex.utf8Start[Int(byte & 0xF)])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
