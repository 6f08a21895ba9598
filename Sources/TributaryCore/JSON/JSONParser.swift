/// A strict RFC 8259 parser that reports the byte offset of the first mistake.
///
/// It exists for two reasons: numbers must stay exact text (see ``JSONValue``), and the
/// error must say where the body went wrong, so a dead-letter entry or a 400 answer can
/// point at the byte. Nesting is capped so a hostile body cannot exhaust the stack.
///
/// Strings must be valid UTF-8 (RFC 8259 §8.1): replacing a bad byte with U+FFFD would make
/// `bad\xff` and `bad\xfe` the same identifier and merge two records. Duplicate object keys
/// are refused with ``Options/rejectDuplicateKeys`` (the push path: which value a sender meant
/// is ambiguous); otherwise the first is kept, as upstream bodies are read leniently.
public struct JSONParser {
    public static let maxDepth = 512

    public struct Options: OptionSet, Sendable {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }
        /// An object with the same key twice is an error naming the key, not first-wins.
        public static let rejectDuplicateKeys = Options(rawValue: 1)
    }

    public static func parse(_ bytes: [UInt8], options: Options = []) throws(JSONParseError) -> JSONValue {
        try bytes.withUnsafeBufferPointer { buffer throws(JSONParseError) in try parse(buffer, options: options) }
    }

    public static func parse(_ bytes: some Collection<UInt8>, options: Options = []) throws(JSONParseError) -> JSONValue {
        if let result = bytes.withContiguousStorageIfAvailable({ buffer in
            Result { () throws(JSONParseError) -> JSONValue in try parse(buffer, options: options) }
        }) {
            return try result.get()
        }
        return try Array(bytes).withUnsafeBufferPointer { buffer throws(JSONParseError) in try parse(buffer, options: options) }
    }

    public static func parse(_ buffer: UnsafeBufferPointer<UInt8>, options: Options = []) throws(JSONParseError) -> JSONValue {
        var parser = Cursor(bytes: buffer, rejectDuplicateKeys: options.contains(.rejectDuplicateKeys))
        // A UTF-8 byte order mark is tolerated at the very start.
        if buffer.count >= 3, buffer[0] == 0xEF, buffer[1] == 0xBB, buffer[2] == 0xBF { parser.index = 3 }
        parser.skipWhitespace()
        let value = try parser.value(depth: 0)
        parser.skipWhitespace()
        guard parser.index == buffer.count else { throw parser.error("unexpected data after the JSON value") }
        return value
    }

    struct Cursor {
        let bytes: UnsafeBufferPointer<UInt8>
        let rejectDuplicateKeys: Bool
        var index = 0

        func error(_ message: String) -> JSONParseError {
            JSONParseError(offset: index, message: message)
        }

        mutating func skipWhitespace() {
            while index < bytes.count {
                switch bytes[index] {
                case 0x20, 0x0A, 0x0D, 0x09: index += 1
                default: return
                }
            }
        }

        mutating func value(depth: Int) throws(JSONParseError) -> JSONValue {
            guard index < bytes.count else { throw error("unexpected end of input, expected a value") }
            switch bytes[index] {
            case UInt8(ascii: "{"): return try object(depth: depth + 1)
            case UInt8(ascii: "["): return try array(depth: depth + 1)
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): try literal("true"); return .bool(true)
            case UInt8(ascii: "f"): try literal("false"); return .bool(false)
            case UInt8(ascii: "n"): try literal("null"); return .null
            case UInt8(ascii: "-"), 48...57: return .number(try number())
            default: throw error("unexpected character '\(Unicode.Scalar(bytes[index]))', expected a value")
            }
        }

        mutating func literal(_ word: StaticString) throws(JSONParseError) {
            let length = word.utf8CodeUnitCount
            guard index + length <= bytes.count,
                memcmp(bytes.baseAddress! + index, word.utf8Start, length) == 0
            else { throw error("invalid literal, expected '\(word)'") }
            index += length
        }

        mutating func object(depth: Int) throws(JSONParseError) -> JSONValue {
            guard depth <= JSONParser.maxDepth else { throw error("nesting deeper than \(JSONParser.maxDepth)") }
            index += 1
            var members: [(key: String, value: JSONValue)] = []
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
                index += 1
                return .object(JSONObject(members))
            }
            while true {
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                    throw error("expected a string key in object")
                }
                let keyOffset = index
                let key = try string()
                if rejectDuplicateKeys, members.contains(where: { $0.key == key }) {
                    throw JSONParseError(offset: keyOffset, message: "duplicate key '\(key.prefix(64))' in object (send each field once)")
                }
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw error("expected ':' after object key") }
                index += 1
                skipWhitespace()
                let member = try value(depth: depth)
                members.append((key, member))
                skipWhitespace()
                guard index < bytes.count else { throw error("unexpected end of input inside object") }
                if bytes[index] == UInt8(ascii: ",") {
                    index += 1
                } else if bytes[index] == UInt8(ascii: "}") {
                    index += 1
                    return .object(JSONObject(members))
                } else {
                    throw error("expected ',' or '}' in object")
                }
            }
        }

        mutating func array(depth: Int) throws(JSONParseError) -> JSONValue {
            guard depth <= JSONParser.maxDepth else { throw error("nesting deeper than \(JSONParser.maxDepth)") }
            index += 1
            var items: [JSONValue] = []
            skipWhitespace()
            // Upstream rows (klines, candles, book levels) hold 2–12 values: one allocation
            // instead of growing 1, 2, 4, 8, 16.
            if index < bytes.count, bytes[index] != UInt8(ascii: "]") { items.reserveCapacity(16) }
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                index += 1
                return .array(items)
            }
            while true {
                skipWhitespace()
                items.append(try value(depth: depth))
                skipWhitespace()
                guard index < bytes.count else { throw error("unexpected end of input inside array") }
                if bytes[index] == UInt8(ascii: ",") {
                    index += 1
                } else if bytes[index] == UInt8(ascii: "]") {
                    index += 1
                    return .array(items)
                } else {
                    throw error("expected ',' or ']' in array")
                }
            }
        }

        mutating func number() throws(JSONParseError) -> String {
            let start = index
            if bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 else { throw error("invalid number") }
            if bytes[index] == 48 {
                index += 1
            } else {
                while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 { index += 1 }
            }
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
                index += 1
                let digitsStart = index
                while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 { index += 1 }
                guard index > digitsStart else { throw error("invalid number: no digits after '.'") }
            }
            if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
                index += 1
                if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
                let digitsStart = index
                while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 { index += 1 }
                guard index > digitsStart else { throw error("invalid number: no digits in exponent") }
            }
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        }

        mutating func string() throws(JSONParseError) -> String {
            index += 1
            let start = index
            // Fast path: no escapes. Bytes are OR-ed so pure ASCII skips UTF-8 validation.
            var high: UInt8 = 0
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    let raw = UnsafeBufferPointer(rebasing: bytes[start..<index])
                    let text = high < 0x80 ? String(decoding: raw, as: UTF8.self) : try validated(raw, at: start)
                    index += 1
                    return text
                }
                high |= byte
                if byte == UInt8(ascii: "\\") { break }
                if byte < 0x20 { throw error("control character in string") }
                index += 1
            }
            var out = [UInt8](UnsafeBufferPointer(rebasing: bytes[start..<index]))
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    index += 1
                    return try out.withUnsafeBufferPointer { raw throws(JSONParseError) in try validated(raw, at: start) }
                }
                if byte < 0x20 { throw error("control character in string") }
                if byte != UInt8(ascii: "\\") {
                    out.append(byte)
                    index += 1
                    continue
                }
                index += 1
                guard index < bytes.count else { break }
                let escaped = bytes[index]
                index += 1
                switch escaped {
                case UInt8(ascii: "\""): out.append(0x22)
                case UInt8(ascii: "\\"): out.append(0x5C)
                case UInt8(ascii: "/"): out.append(0x2F)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800...0xDBFF).contains(scalar) {
                        guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                            throw error("unpaired UTF-16 surrogate in string")
                        }
                        index += 2
                        let low = try hex4()
                        guard (0xDC00...0xDFFF).contains(low) else { throw error("invalid UTF-16 surrogate pair in string") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00...0xDFFF).contains(scalar) {
                        throw error("unpaired UTF-16 surrogate in string")
                    }
                    out.append(contentsOf: Array(String(Character(Unicode.Scalar(scalar)!)).utf8))
                default:
                    index -= 1
                    throw error("invalid escape '\\\(Unicode.Scalar(escaped))' in string")
                }
            }
            throw error("unterminated string")
        }

        /// The string's bytes as text, or an error at the string's first byte that is not UTF-8.
        func validated(_ raw: UnsafeBufferPointer<UInt8>, at start: Int) throws(JSONParseError) -> String {
            if let text = String(validating: raw, as: UTF8.self) { return text }
            var decoder = UTF8()
            var iterator = raw.makeIterator()
            var offset = 0
            while case .scalarValue(let scalar) = decoder.decode(&iterator) { offset += UTF8.width(scalar) }
            throw JSONParseError(offset: start + offset, message: "invalid UTF-8 in string (send UTF-8 text; other encodings are refused)")
        }

        mutating func hex4() throws(JSONParseError) -> UInt32 {
            guard index + 4 <= bytes.count else { throw error("truncated \\u escape") }
            var value: UInt32 = 0
            for _ in 0..<4 {
                let b = bytes[index]
                let digit: UInt32
                switch b {
                case 48...57: digit = UInt32(b - 48)
                case 65...70: digit = UInt32(b - 55)
                case 97...102: digit = UInt32(b - 87)
                default: throw error("invalid hex digit in \\u escape")
                }
                value = value << 4 | digit
                index += 1
            }
            return value
        }
    }
}

/// Where and why a body is not valid JSON.
public struct JSONParseError: Error, Hashable, CustomStringConvertible {
    /// Zero-based byte offset of the first byte that could not be read.
    public let offset: Int
    public let message: String

    public var description: String { "invalid JSON at byte \(offset): \(message)" }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
