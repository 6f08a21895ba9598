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
        let (tokens, strings) = try tokens(of: buffer, options: options)
        return JSONTape.Reader(bytes: buffer, tokens: tokens, strings: strings).value(at: 0)
    }

    /// The document's tokens in order (see ``JSONTape``), checked as strictly as a parse.
    static func tokens(of buffer: UnsafeBufferPointer<UInt8>, options: Options) throws(JSONParseError) -> ([JSONTape.Token], [String]) {
        guard buffer.count < Int(Int32.max) else {
            throw JSONParseError(offset: 0, message: "document of \(buffer.count) bytes is over the 2 GiB a JSON body may have")
        }
        var parser = Cursor(bytes: buffer, rejectDuplicateKeys: options.contains(.rejectDuplicateKeys))
        // A UTF-8 byte order mark is tolerated at the very start.
        if buffer.count >= 3, buffer[0] == 0xEF, buffer[1] == 0xBB, buffer[2] == 0xBF { parser.index = 3 }
        parser.skipWhitespace()
        try parser.value(depth: 0)
        parser.skipWhitespace()
        guard parser.index == buffer.count else { throw parser.error("unexpected data after the JSON value") }
        return (parser.tokens, parser.strings)
    }

    /// Reads the document once, appending a token per value (containers first, then what they
    /// hold) and checking it as it goes: the first mistake is an error at its byte.
    struct Cursor {
        let bytes: UnsafeBufferPointer<UInt8>
        let rejectDuplicateKeys: Bool
        var index = 0
        var tokens: [JSONTape.Token] = []
        /// Strings with escapes, decoded once (their tokens hold an index here); with
        /// `rejectDuplicateKeys`, every object key too.
        var strings: [String] = []
        /// Where in `strings` the keys of the objects being read are, innermost object's last:
        /// one array for the whole document instead of one per object (a pushed NDJSON line's
        /// object grew its own key array 1 → 2 → 4 → 8, with `strings` beside it).
        var openKeys: [Int] = []

        init(bytes: UnsafeBufferPointer<UInt8>, rejectDuplicateKeys: Bool) {
            self.bytes = bytes
            self.rejectDuplicateKeys = rejectDuplicateKeys
            // About one token per 8 bytes of a typical upstream body.
            tokens.reserveCapacity(min(bytes.count / 8 + 1, 1 << 20))
            if rejectDuplicateKeys {
                // About one key per 16 bytes of a flat event.
                strings.reserveCapacity(min(bytes.count / 16 + 1, 1 << 16))
                openKeys.reserveCapacity(16)
            }
        }

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

        mutating func value(depth: Int) throws(JSONParseError) {
            guard index < bytes.count else { throw error("unexpected end of input, expected a value") }
            switch bytes[index] {
            case UInt8(ascii: "{"): try object(depth: depth + 1)
            case UInt8(ascii: "["): try array(depth: depth + 1)
            case UInt8(ascii: "\""): try stringToken()
            case UInt8(ascii: "t"):
                try literal("true")
                tokens.append(JSONTape.Token(kind: .true))
            case UInt8(ascii: "f"):
                try literal("false")
                tokens.append(JSONTape.Token(kind: .false))
            case UInt8(ascii: "n"):
                try literal("null")
                tokens.append(JSONTape.Token(kind: .null))
            case UInt8(ascii: "-"), 48...57:
                let start = index
                try number()
                tokens.append(JSONTape.Token(kind: .number, first: start, last: index))
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

        /// Sets a container's member count and where its tokens end, once they are read.
        private mutating func close(_ container: Int, count: Int) {
            tokens[container].first = Int32(truncatingIfNeeded: count)
            tokens[container].last = Int32(truncatingIfNeeded: tokens.count)
        }

        mutating func object(depth: Int) throws(JSONParseError) {
            guard depth <= JSONParser.maxDepth else { throw error("nesting deeper than \(JSONParser.maxDepth)") }
            index += 1
            let container = tokens.count
            tokens.append(JSONTape.Token(kind: .object))
            let firstKey = openKeys.count
            defer { openKeys.removeSubrange(firstKey...) }
            var count = 0
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
                index += 1
                return close(container, count: 0)
            }
            while true {
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                    throw error("expected a string key in object")
                }
                let keyOffset = index
                if rejectDuplicateKeys {
                    let key = try string()
                    for seen in openKeys[firstKey...] where strings[seen] == key {
                        throw JSONParseError(offset: keyOffset, message: "duplicate key '\(key.prefix(64))' in object (send each field once)")
                    }
                    openKeys.append(strings.count)
                    strings.append(key)
                    tokens.append(JSONTape.Token(kind: .decodedString, first: strings.count - 1, last: 0))
                } else {
                    try stringToken()
                }
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw error("expected ':' after object key") }
                index += 1
                skipWhitespace()
                try value(depth: depth)
                count += 1
                skipWhitespace()
                guard index < bytes.count else { throw error("unexpected end of input inside object") }
                if bytes[index] == UInt8(ascii: ",") {
                    index += 1
                } else if bytes[index] == UInt8(ascii: "}") {
                    index += 1
                    return close(container, count: count)
                } else {
                    throw error("expected ',' or '}' in object")
                }
            }
        }

        mutating func array(depth: Int) throws(JSONParseError) {
            guard depth <= JSONParser.maxDepth else { throw error("nesting deeper than \(JSONParser.maxDepth)") }
            index += 1
            let container = tokens.count
            tokens.append(JSONTape.Token(kind: .array))
            var count = 0
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                index += 1
                return close(container, count: 0)
            }
            while true {
                skipWhitespace()
                try value(depth: depth)
                count += 1
                skipWhitespace()
                guard index < bytes.count else { throw error("unexpected end of input inside array") }
                if bytes[index] == UInt8(ascii: ",") {
                    index += 1
                } else if bytes[index] == UInt8(ascii: "]") {
                    index += 1
                    return close(container, count: count)
                } else {
                    throw error("expected ',' or ']' in array")
                }
            }
        }

        /// Checks a number's grammar and moves past it.
        mutating func number() throws(JSONParseError) {
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
        }

        /// A string's token: its bytes when they are plain ASCII (nothing to decode or check),
        /// else the checked, decoded text kept in `strings`.
        mutating func stringToken() throws(JSONParseError) {
            index += 1
            let start = index
            let high = try scanUnescaped()
            if index < bytes.count, bytes[index] == UInt8(ascii: "\""), high < 0x80 {
                tokens.append(JSONTape.Token(kind: .string, first: start, last: index))
                index += 1
                return
            }
            strings.append(try stringRest(from: start, high: high))
            tokens.append(JSONTape.Token(kind: .decodedString, first: strings.count - 1, last: 0))
        }

        mutating func string() throws(JSONParseError) -> String {
            index += 1
            let start = index
            let high = try scanUnescaped()
            return try stringRest(from: start, high: high)
        }

        /// Moves past a string's bytes up to its closing quote or first backslash (or the end of
        /// input); returns the bytes OR-ed together, so pure ASCII skips UTF-8 validation.
        mutating func scanUnescaped() throws(JSONParseError) -> UInt8 {
            var high: UInt8 = 0
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { break }
                if byte < 0x20 { throw error("control character in string") }
                high |= byte
                index += 1
            }
            return high
        }

        /// The string that began at `start`, read on from where ``scanUnescaped()`` stopped:
        /// its text when it closed there, else its escapes decoded up to the closing quote.
        mutating func stringRest(from start: Int, high: UInt8) throws(JSONParseError) -> String {
            if index < bytes.count, bytes[index] == UInt8(ascii: "\"") {
                let raw = UnsafeBufferPointer(rebasing: bytes[start..<index])
                let text = high < 0x80 ? String(decoding: raw, as: UTF8.self) : try validated(raw, at: start)
                index += 1
                return text
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
