/// A JSON document read once into a flat list of tokens that point into its bytes.
///
/// ``JSONParser`` builds its ``JSONValue`` tree from these tokens. A connector reading thousands
/// of rows of numbers (Binance klines: 500–1,000 rows of 12 cells per response) reads them from
/// the tape instead: each cell's bytes are parsed into an ``ExactDecimal`` or an integer where
/// they lie — no `String` per number, no array per row, no tree to free afterwards. The tape is
/// checked exactly as strictly as a parse (the same errors at the same bytes).
public struct JSONTape: Sendable {
    /// One value: a scalar's bytes, or a container's size and extent.
    struct Token: Sendable {
        enum Kind: UInt8, Sendable { case null, `false`, `true`, number, string, decodedString, array, object }
        var kind: Kind
        /// number, string: the first byte; decodedString: the index in `strings`;
        /// array: the element count; object: the member count.
        var first: Int32
        /// number, string: the byte after the last; array, object: the token after the last one
        /// the container holds (an object holds a key token and a value per member).
        var last: Int32

        init(kind: Kind, first: Int = 0, last: Int = 0) {
            self.kind = kind
            self.first = Int32(truncatingIfNeeded: first)
            self.last = Int32(truncatingIfNeeded: last)
        }
    }

    /// A value's place on the tape.
    public struct Position: Hashable, Sendable {
        let token: Int
    }

    let bytes: [UInt8]
    let tokens: [Token]
    /// Strings that needed decoding (escapes, non-ASCII), decoded once while reading.
    let strings: [String]

    /// Reads `bytes` as ``JSONParser/parse(_:options:)-([UInt8],_)`` would, keeping tokens instead of a tree.
    public init(parsing bytes: [UInt8], options: JSONParser.Options = []) throws(JSONParseError) {
        (tokens, strings) = try bytes.withUnsafeBufferPointer { buffer throws(JSONParseError) in
            try JSONParser.tokens(of: buffer, options: options)
        }
        self.bytes = bytes
    }

    /// The document's value.
    public var root: Position { Position(token: 0) }

    private func reading<T>(_ body: (Reader) -> T) -> T {
        bytes.withUnsafeBufferPointer { body(Reader(bytes: $0, tokens: tokens, strings: strings)) }
    }

    /// The value at `position` as a tree (what a parse would have returned for it).
    public func value(at position: Position) -> JSONValue { reading { $0.value(at: position.token) } }

    /// A short name of the value's JSON type, for error messages.
    public func typeName(at position: Position) -> String { tokens[position.token].kind.typeName }

    /// How many elements an array holds; nil for anything else.
    public func arrayCount(at position: Position) -> Int? {
        let token = tokens[position.token]
        return token.kind == .array ? Int(token.first) : nil
    }

    /// The positions of an array's elements in order; empty for anything else.
    public func elements(of position: Position) -> Elements {
        let token = tokens[position.token]
        guard token.kind == .array else { return Elements(tape: self, upcoming: 0, remaining: 0) }
        return Elements(tape: self, upcoming: position.token + 1, remaining: Int(token.first))
    }

    /// Element `index` of an array (nil past its end, or when it is not an array).
    public func element(_ index: Int, of position: Position) -> Position? {
        let token = tokens[position.token]
        guard token.kind == .array, index >= 0, index < Int(token.first) else { return nil }
        var current = position.token + 1
        for _ in 0..<index { current = after(current) }
        return Position(token: current)
    }

    /// The value of an object's first member named `key`.
    public func member(_ key: String, of position: Position) -> Position? {
        let token = tokens[position.token]
        guard token.kind == .object else { return nil }
        var key = key
        return key.withUTF8 { wanted in
            reading { reader in
                var current = position.token + 1
                for _ in 0..<Int(token.first) {
                    if reader.isKey(at: current, wanted) { return Position(token: current + 1) }
                    current = after(current + 1)
                }
                return nil
            }
        }
    }

    /// True when the value is an object.
    public func isObject(at position: Position) -> Bool { tokens[position.token].kind == .object }

    /// True when the value is JSON `null`.
    public func isNull(at position: Position) -> Bool { tokens[position.token].kind == .null }

    /// The value as an exact decimal, whether sent as `"1.5"` or `1.5` (as ``JSONValue/decimalValue``).
    public func decimal(at position: Position) -> ExactDecimal? { reading { $0.decimal(at: position.token) } }

    /// The value as a whole number, whether sent as `123` or `"123"` (as ``JSONValue/int64Value``).
    public func int64(at position: Position) -> Int64? { reading { $0.int64(at: position.token) } }

    /// The value when it is a string.
    public func string(at position: Position) -> String? { reading { $0.string(at: position.token) } }

    /// The token after the value at `token` and all it holds.
    func after(_ token: Int) -> Int { Reader.after(token, in: tokens) }

    /// An array's element positions, walked in order without building a list.
    public struct Elements: Sequence, IteratorProtocol {
        let tape: JSONTape
        var upcoming: Int
        var remaining: Int

        public var underestimatedCount: Int { remaining }

        public mutating func next() -> Position? {
            guard remaining > 0 else { return nil }
            remaining -= 1
            defer { upcoming = tape.after(upcoming) }
            return Position(token: upcoming)
        }
    }
}

extension JSONTape.Token.Kind {
    var typeName: String {
        switch self {
        case .null: "null"
        case .false, .true: "boolean"
        case .number: "number"
        case .string, .decodedString: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}

extension JSONTape {
    /// Reads values off tokens and the bytes they point into (valid while the bytes are).
    struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        let tokens: [Token]
        let strings: [String]

        func text(_ token: Token) -> UnsafeBufferPointer<UInt8> {
            UnsafeBufferPointer(rebasing: bytes[Int(token.first)..<Int(token.last)])
        }

        func string(at index: Int) -> String? {
            let token = tokens[index]
            switch token.kind {
            // A plain string token is ASCII (the tokenizer decoded every other).
            case .string: return String(decoding: text(token), as: UTF8.self)
            case .decodedString: return strings[Int(token.first)]
            default: return nil
            }
        }

        /// Whether the key token at `index` is exactly these UTF-8 bytes, compared where they lie
        /// (no `String` made per member passed over).
        func isKey(at index: Int, _ wanted: UnsafeBufferPointer<UInt8>) -> Bool {
            let token = tokens[index]
            switch token.kind {
            case .string:
                // Lengths differ for most members passed over: told before a byte is read.
                let start = Int(token.first)
                guard Int(token.last) - start == wanted.count else { return false }
                for offset in 0..<wanted.count where bytes[start + offset] != wanted[offset] { return false }
                return true
            case .decodedString:
                var decoded = strings[Int(token.first)]
                return decoded.withUTF8 { $0.elementsEqual(wanted) }
            default: return false
            }
        }

        func decimal(at index: Int) -> ExactDecimal? {
            let token = tokens[index]
            switch token.kind {
            case .number, .string: return ExactDecimal.parse(text(token))
            case .decodedString:
                var text = strings[Int(token.first)]
                return text.withUTF8 { ExactDecimal.parse($0) }
            default: return nil
            }
        }

        func int64(at index: Int) -> Int64? {
            let token = tokens[index]
            switch token.kind {
            case .number, .string: return Self.int64(text(token))
            case .decodedString: return Int64(strings[Int(token.first)])
            default: return nil
            }
        }

        /// `Int64(String)`'s reading of the bytes: an optional sign, then digits, within range.
        static func int64(_ text: UnsafeBufferPointer<UInt8>) -> Int64? {
            var index = 0
            var negative = false
            if let sign = text.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") {
                negative = sign == UInt8(ascii: "-")
                index = 1
            }
            guard index < text.count else { return nil }
            var value: Int64 = 0
            while index < text.count {
                let digit = text[index] &- 48
                guard digit < 10 else { return nil }
                let (shifted, overflow) = value.multipliedReportingOverflow(by: 10)
                let (added, overflow2) =
                    negative ? shifted.subtractingReportingOverflow(Int64(digit)) : shifted.addingReportingOverflow(Int64(digit))
                if overflow || overflow2 { return nil }
                value = added
                index += 1
            }
            return value
        }

        /// The value at `index` as a tree.
        func value(at index: Int) -> JSONValue {
            let token = tokens[index]
            switch token.kind {
            case .null: return .null
            case .false: return .bool(false)
            case .true: return .bool(true)
            case .number: return .number(String(decoding: text(token), as: UTF8.self))
            case .string, .decodedString: return .string(string(at: index) ?? "")
            case .array:
                var items: [JSONValue] = []
                items.reserveCapacity(Int(token.first))
                var current = index + 1
                for _ in 0..<Int(token.first) {
                    items.append(value(at: current))
                    current = after(current)
                }
                return .array(items)
            case .object:
                var members: [(key: String, value: JSONValue)] = []
                members.reserveCapacity(Int(token.first))
                var current = index + 1
                for _ in 0..<Int(token.first) {
                    // Every member is kept; lookups find the first of a repeated key (the push
                    // path refuses repeats while reading).
                    members.append((string(at: current) ?? "", value(at: current + 1)))
                    current = after(current + 1)
                }
                return .object(JSONObject(members))
            }
        }

        func after(_ index: Int) -> Int { Self.after(index, in: tokens) }

        static func after(_ index: Int, in tokens: [Token]) -> Int {
            switch tokens[index].kind {
            case .array, .object: Int(tokens[index].last)
            default: index + 1
            }
        }
    }
}
