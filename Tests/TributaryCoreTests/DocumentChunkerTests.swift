import Foundation
import Testing
import TributaryCore

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
    }

    @Test func idsAreStableAndURLSafe() {
        let id = Document.id(source: "docs", uri: "s3://bucket/a b/ü.md")
        #expect(id == Document.id(source: "docs", uri: "s3://bucket/a b/ü.md"))
        #expect(id != Document.id(source: "other", uri: "s3://bucket/a b/ü.md"))
        #expect(id.hasPrefix("doc_") && id.count == 28 && id.dropFirst(4).allSatisfy { $0.isHexDigit && !$0.isUppercase })
    }
}
