import Foundation
import Testing

@testable import TributaryCore

/// Chunks are deterministic, never split a character, end at paragraph or sentence breaks
/// where they can, and their offsets slice the text's UTF-8 bytes exactly.
@Suite struct DocumentChunkerTests {
    static let paragraph = "Rates rose again. Equities fell; the dollar held. Crypto traded flat through the session."
    static let text = (0..<12).map { "\($0): " + paragraph + " Ünïcödé 😀👍🏽 e\u{301}." }.joined(separator: "\n\n")

    @Test func sameTextSameChunks() {
        let chunker = DocumentChunker(size: 300, overlap: 40)
        #expect(chunker.chunks(of: Self.text, documentID: "d") == chunker.chunks(of: Self.text, documentID: "d"))
    }

    @Test(arguments: [(120, 0), (300, 40), (1_000, 100), (50, 0)])
    func offsetsSliceTheBytesAndNothingIsLost(_ size: Int, _ overlap: Int) throws {
        let chunker = DocumentChunker(size: size, overlap: overlap)
        #expect(chunker.problem == nil)
        let chunks = chunker.chunks(of: Self.text, documentID: "d")
        let bytes = Array(Self.text.utf8)
        #expect(chunks.first?.offset == 0)
        #expect(chunks.last.map { $0.offset + $0.length } == bytes.count)
        for (index, chunk) in chunks.enumerated() {
            #expect(chunk.chunkID == index)
            #expect(Array(bytes[chunk.offset..<chunk.offset + chunk.length]) == Array(chunk.text.utf8))
            #expect(chunk.chunkHash == ContentHash.of(bytes: Array(chunk.text.utf8)))
            #expect(chunk.text.count <= size)
            if index > 0 {
                let previous = chunks[index - 1]
                // Consecutive chunks touch or overlap: no byte of the text falls between them.
                #expect(chunk.offset <= previous.offset + previous.length)
                #expect(chunk.offset > previous.offset)
            }
        }
        if overlap == 0 { #expect(chunks.map(\.text).joined() == Self.text) }
    }

    @Test func cutsAtParagraphsThenSentences() {
        let chunks = DocumentChunker(size: 300, overlap: 0).chunks(of: Self.text, documentID: "d")
        #expect(chunks.dropLast().allSatisfy { $0.text.hasSuffix("\n\n") })
        let prose = String(repeating: Self.paragraph + " ", count: 10)
        let sentences = DocumentChunker(size: 200, overlap: 0).chunks(of: prose, documentID: "d")
        #expect(sentences.dropLast().allSatisfy { $0.text.hasSuffix(". ") })
    }

    @Test func neverSplitsAGraphemeEvenWithoutSpaces() {
        let text = String(repeating: "👍🏽e\u{301}🇨🇭", count: 500)
        let chunks = DocumentChunker(size: 64, overlap: 8).chunks(of: text, documentID: "d")
        #expect(chunks.count > 10)
        for chunk in chunks { #expect(chunk.text.unicodeScalars.first.map { $0 != "\u{301}" && $0 != "\u{1F3FD}" } ?? false) }
        #expect(DocumentChunker(size: 64, overlap: 0).chunks(of: text, documentID: "d").map(\.text).joined() == text)
    }

    @Test func anEditChangesOnlyItsChunks() {
        let chunker = DocumentChunker(size: 300, overlap: 0)
        let before = chunker.chunks(of: Self.text, documentID: "d")
        let after = chunker.chunks(of: Self.text.replacingOccurrences(of: "5: Rates rose", with: "5: Rates fell"), documentID: "d")
        let changed = zip(before, after).filter { $0.chunkHash != $1.chunkHash }
        #expect(changed.count == 1)
    }

    @Test func emptyTextNoChunksAndBadSettingsAreNamed() {
        #expect(DocumentChunker.default.chunks(of: "", documentID: "d").isEmpty)
        #expect(DocumentChunker(size: 10, overlap: 0).problem != nil)
        #expect(DocumentChunker(size: 100, overlap: 50).problem != nil)
        #expect(DocumentChunker(size: 100, overlap: -1).problem != nil)
        // Out-of-range settings never trap: they are brought into range.
        for (size, overlap) in [(-5, 0), (0, 0), (10, 20), (1_000_000_000, -3)] {
            #expect(DocumentChunker(size: size, overlap: overlap).chunks(of: Self.text, documentID: "d").map(\.text).joined().count >= Self.text.count)
        }
    }

    @Test func idsAreStableAndURLSafe() {
        let id = Document.id(source: "docs", uri: "s3://bucket/a b/ü.md")
        #expect(id == Document.id(source: "docs", uri: "s3://bucket/a b/ü.md"))
        #expect(id != Document.id(source: "other", uri: "s3://bucket/a b/ü.md"))
        #expect(id.hasPrefix("doc_") && id.count == 28 && id.dropFirst(4).allSatisfy { $0.isHexDigit && !$0.isUppercase })
    }

    /// The chunker works on UTF-8 offsets and per-character classes for speed; it must cut
    /// exactly where the plain `Character` formulation of its rule does, on any text.
    @Test(arguments: [(50, 0), (64, 8), (300, 40), (1_000, 100)])
    func cutsWhereTheCharacterRuleCuts(_ size: Int, _ overlap: Int) {
        let chunker = DocumentChunker(size: size, overlap: overlap)
        // Whitespace and newlines of every kind, sentence ends bare and with combining marks,
        // CR LF, emoji sequences, flags, fullwidth punctuation, and plain words.
        let pieces = [
            "word", "Zürich", " ", "  ", "\t", "\n", "\n\n", "\r\n", "\r\n\r\n", "\r", "\u{0B}", "\u{0C}", "\u{85}", "\u{A0}", "\u{2028}", "\u{2029}",
            "\u{3000}", "\u{2009}", "\u{1C}", ".", "!", "?", ".\u{301}", " \u{301}", "\n\u{301}", "。", "！", "？", "．", "\u{FE52}", "e\u{301}", "👍🏽",
            "🇨🇭", "👨‍👩‍👧", "漢字", "a.b", "x", "Δ",
        ]
        var generator = SplitMix64(seed: 0x7121_B07A)
        for round in 0..<40 {
            let text = (0..<(200 + round * 60)).map { _ in pieces[Int(generator.next() % UInt64(pieces.count))] }.joined()
            let expected = ReferenceChunker(size: size, overlap: overlap).cuts(text)
            let chunks = chunker.chunks(of: text, documentID: "d")
            #expect(chunks.map(\.text) == expected, "round \(round)")
        }
    }
}

/// The chunking rule written plainly over `[Character]` (how it was first built): the oracle
/// the fast chunker is compared with.
private struct ReferenceChunker {
    var size: Int
    var overlap: Int

    func cuts(_ text: String) -> [String] {
        let characters = Array(text)
        var pieces: [String] = []
        var start = 0
        while start < characters.count {
            let end = cut(characters, from: start)
            pieces.append(String(characters[start..<end]))
            guard end < characters.count else { break }
            start = max(end - overlap, start + 1)
        }
        return pieces
    }

    private func cut(_ characters: [Character], from start: Int) -> Int {
        let limit = start + size
        guard limit < characters.count else { return characters.count }
        let earliest = start + size / 2
        for index in stride(from: limit, to: earliest, by: -1) where characters[index - 1].isNewline && index >= 2 && characters[index - 2].isNewline {
            return index
        }
        for index in stride(from: limit, to: earliest, by: -1)
        where characters[index - 1].isWhitespace && index >= 2 && ".!?。！？".contains(characters[index - 2]) {
            return index
        }
        for index in stride(from: limit, to: earliest, by: -1) where characters[index - 1].isWhitespace { return index }
        return limit
    }
}

/// The chunker's own table of whitespace and newlines agrees with the standard library's
/// `Character` on every non-ASCII scalar.
@Test func whitespaceAndNewlinesMatchCharacterForEveryScalar() {
    var mismatches: [String] = []
    for value in UInt32(0x80)...0x10FFFF {
        guard let scalar = Unicode.Scalar(value) else { continue }
        let character = Character(scalar)
        let marks = CharacterScanner.marks(of: value)
        if marks.contains(.whitespace) != character.isWhitespace || marks.contains(.newline) != character.isNewline {
            mismatches.append(String(value, radix: 16))
        }
    }
    #expect(mismatches.isEmpty, "U+\(mismatches.prefix(20))")
}

/// Character boundaries found from the bytes equal `Character`'s on random mixes of scalars
/// from every class that joins (combining marks, ZWJ emoji, skin tones, flags, Hangul jamo,
/// Indic conjuncts, prepended and spacing marks, CR LF) and of the simple ones beside them.
@Test func characterBoundariesMatchTheStandardLibrary() {
    let scalars: [UInt32] = [
        0x41, 0x7A, 0x20, 0x2E, 0x0D, 0x0A, 0x09, 0x7F, 0x85, 0xA0, 0xAD, 0xE9, 0xFC, 0x2B0, 0x2FF, 0x300, 0x301, 0x36F, 0x4E00, 0x9FFF, 0x3400,
        0x3042, 0x3099, 0x302A, 0x1100, 0x1161, 0x11A8, 0xAC00, 0x0915, 0x094D, 0x0937, 0x0903, 0x0600, 0x200D, 0xFE0F, 0x1F44D, 0x1F3FD,
        0x1F1E8, 0x1F1ED, 0x1F468, 0x2764, 0x3002, 0xFF01, 0x2028, 0x0E33, 0x1F600,
    ]
    var generator = SplitMix64(seed: 0xB0_0DA7)
    for round in 0..<300 {
        var text = ""
        for _ in 0..<(20 + round) {
            text.unicodeScalars.append(Unicode.Scalar(scalars[Int(generator.next() % UInt64(scalars.count))])!)
        }
        var expected = [0]
        for character in text { expected.append(expected.last! + character.utf8.count) }
        var scanner = CharacterScanner(text, utf8: Array(text.utf8))
        var found: [Int] = []
        while let character = scanner.next() { found.append(character.offset) }
        found.append(scanner.position)
        #expect(found == expected, "round \(round): \(text.unicodeScalars.map { String($0.value, radix: 16) })")
    }
}
