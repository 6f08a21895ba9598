/// Walks a text's characters (extended grapheme clusters) from the front, giving each one's
/// UTF-8 offset and whether it is a newline, whitespace or sentence-ending punctuation — what
/// the chunker needs to count characters and find a place to cut.
///
/// It reads the UTF-8 bytes. Where two neighbouring scalars are both "simple" (ASCII, the rest
/// of Latin below U+0300, CJK ideographs) a character ends between them — none of them extends,
/// joins or prepends, and CR LF is the one pair that stays together — so typical prose never
/// reaches the standard library's grapheme breaking; anything else asks
/// `String.index(after:)`, so emoji, accents and flags are cut exactly as `Character` cuts
/// them. The classes are those of `Character.isNewline` / `isWhitespace`, decided by the
/// character's first scalar as the standard library does. (Materialising `[Character]` and
/// joining it back held chunking to ~6 MB/s; see Docs/PERFORMANCE.md.)
struct CharacterScanner {
    struct Class: OptionSet {
        let rawValue: UInt8
        static let newline = Class(rawValue: 1)
        static let whitespace = Class(rawValue: 2)
        static let sentenceEnd = Class(rawValue: 4)
    }

    private let text: String
    private let bytes: [UInt8]
    /// The UTF-8 offset of the next character (the text's length once all are read).
    private(set) var position = 0

    /// `bytes` must be `text`'s UTF-8 (the chunker has them already).
    init(_ text: String, utf8 bytes: [UInt8]) {
        self.text = text
        self.bytes = bytes
    }

    /// The next character's offset and classes, or nil at the end of the text.
    @inline(__always)
    mutating func next() -> (offset: Int, marks: Class)? {
        let offset = position
        guard offset < bytes.count else { return nil }
        let first = bytes[offset]
        let length = Self.knownLength(bytes, at: offset) ?? Self.clusterLength(text, at: offset)
        var marks: Class
        if first < 0x80 {
            marks = Self.ascii(first)
            // "." with a combining mark is not the bare full stop.
            if length > 1 { marks.remove(.sentenceEnd) }
        } else {
            let (scalar, scalarLength) = Self.scalarValue(bytes, at: offset)
            marks = Self.marks(of: scalar)
            if length != scalarLength { marks.remove(.sentenceEnd) }
        }
        position = offset + length
        return (offset, marks)
    }

    /// The length of the character at `offset` when its bytes alone decide it, else nil.
    @inline(__always)
    private static func knownLength(_ bytes: [UInt8], at offset: Int) -> Int? {
        let byte = bytes[offset]
        guard byte < 0x80 else { return simpleLength(bytes, at: offset) }
        guard offset + 1 < bytes.count else { return 1 }
        let next = bytes[offset + 1]
        // CR LF is one character; nothing extends a control character (UAX #29 GB3, GB4).
        if byte == 0x0D { return next == 0x0A ? 2 : 1 }
        if byte < 0x20 || byte == 0x7F { return 1 }
        if next < 0x80 { return 1 }
        return simpleLength(bytes, at: offset)
    }

    /// The length of the scalar at `offset` when it and the next scalar are both "simple" —
    /// below U+0300 (ASCII, Latin-1, Latin Extended, IPA) or a CJK unified ideograph — since no
    /// such scalar extends, joins or prepends (UAX #29: neither Extend, ZWJ, SpacingMark,
    /// Prepend, Regional_Indicator, Hangul nor an Indic conjunct part), so a break lies between.
    private static func simpleLength(_ bytes: [UInt8], at offset: Int) -> Int? {
        let (first, length) = scalarValue(bytes, at: offset)
        guard isSimple(first), first != 0x0D else { return nil }
        guard offset + length < bytes.count else { return length }
        let (next, _) = scalarValue(bytes, at: offset + length)
        return isSimple(next) ? length : nil
    }

    private static func isSimple(_ value: UInt32) -> Bool {
        value < 0x300 || (0x4E00...0x9FFF).contains(value) || (0x3400...0x4DBF).contains(value)
    }

    /// The standard library's answer: the UTF-8 length of the character starting at `offset`.
    private static func clusterLength(_ text: String, at offset: Int) -> Int {
        let utf8 = text.utf8
        let start = utf8.index(utf8.startIndex, offsetBy: offset)
        return utf8.distance(from: start, to: text.index(after: start))
    }

    /// The scalar whose UTF-8 starts at `offset` and its length in bytes (the bytes are valid
    /// UTF-8: they are a String's).
    @inline(__always)
    private static func scalarValue(_ bytes: [UInt8], at offset: Int) -> (UInt32, Int) {
        let lead = UInt32(bytes[offset])
        func continuation(_ index: Int) -> UInt32 { UInt32(bytes[offset + index] & 0x3F) }
        switch lead {
        case 0..<0x80: return (lead, 1)
        case 0xC0..<0xE0: return ((lead & 0x1F) << 6 | continuation(1), 2)
        case 0xE0..<0xF0: return ((lead & 0x0F) << 12 | continuation(1) << 6 | continuation(2), 3)
        default: return ((lead & 0x07) << 18 | continuation(1) << 12 | continuation(2) << 6 | continuation(3), 4)
        }
    }

    @inline(__always)
    private static func ascii(_ byte: UInt8) -> Class {
        switch byte {
        case 0x0A...0x0D: return [.newline, .whitespace]
        case 0x09, 0x20: return .whitespace
        case 0x21, 0x2E, 0x3F: return .sentenceEnd
        default: return []
        }
    }

    /// The classes of a character whose first scalar is `value` (for non-ASCII scalars):
    /// Unicode's White_Space set, the newlines `Character.isNewline` names, and the
    /// ideographic and fullwidth sentence ends.
    static func marks(of value: UInt32) -> Class {
        switch value {
        case 0x85, 0x2028, 0x2029: return [.newline, .whitespace]
        case 0xA0, 0x1680, 0x2000...0x200A, 0x202F, 0x205F, 0x3000: return .whitespace
        case 0x3002, 0xFF01, 0xFF1F: return .sentenceEnd
        default: return []
        }
    }
}
