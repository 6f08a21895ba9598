/// Cuts a document's text into chunks of about ``size`` characters that overlap by
/// ``overlap``, ending at a paragraph break where one falls in the chunk's second half, else at
/// a sentence end, else at a space, else exactly at ``size`` — so chunks read as whole thoughts
/// where the text allows.
///
/// Deterministic (the same text gives the same chunks, byte for byte, on every run and
/// machine — re-ingesting an unchanged paragraph gives the same chunk hash) and Unicode-safe:
/// it counts and cuts on extended grapheme clusters, so no emoji, accent or CRLF is ever split,
/// and offsets are UTF-8 byte positions into the text.
public struct DocumentChunker: Sendable, Hashable {
    public var size: Int
    public var overlap: Int

    public static let `default` = DocumentChunker(size: 1_000, overlap: 100)

    public struct Invalid: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    public init(size: Int, overlap: Int) {
        self.size = size
        self.overlap = overlap
    }

    /// What is wrong with these settings, if anything.
    public var problem: String? {
        guard (50...100_000).contains(size) else { return "chunk size \(size): use 50…100000 characters" }
        guard overlap >= 0, overlap < size / 2 else { return "chunk overlap \(overlap): use 0…\(size / 2 - 1) characters (less than half the size)" }
        return nil
    }

    public func chunks(of text: String, documentID: String) -> [DocumentChunk] {
        let characters = Array(text)
        guard !characters.isEmpty else { return [] }
        // UTF-8 byte offset of each character boundary.
        var offsets = [Int](repeating: 0, count: characters.count + 1)
        for (index, character) in characters.enumerated() { offsets[index + 1] = offsets[index] + character.utf8.count }
        var chunks: [DocumentChunk] = []
        var start = 0
        while start < characters.count {
            let end = cut(characters, from: start)
            let piece = String(characters[start..<end])
            chunks.append(
                DocumentChunk(
                    documentID: documentID, chunkID: chunks.count, offset: offsets[start], length: offsets[end] - offsets[start],
                    chunkHash: ContentHash.of(bytes: Array(piece.utf8)), text: piece))
            guard end < characters.count else { break }
            // The next chunk repeats the last `overlap` characters, always moving forward.
            start = max(end - overlap, start + 1)
        }
        return chunks
    }

    /// Where the chunk starting at `start` ends (exclusive).
    private func cut(_ characters: [Character], from start: Int) -> Int {
        let limit = start + size
        guard limit < characters.count else { return characters.count }
        let earliest = start + size / 2
        // A paragraph break: a newline followed by another (blank line).
        var index = limit
        while index > earliest {
            if characters[index - 1].isNewline, index >= 2, characters[index - 2].isNewline { return index }
            index -= 1
        }
        // A sentence end: terminal punctuation followed by whitespace.
        index = limit
        while index > earliest {
            if characters[index - 1].isWhitespace, index >= 2, Self.endsSentence(characters[index - 2]) { return index }
            index -= 1
        }
        index = limit
        while index > earliest {
            if characters[index - 1].isWhitespace { return index }
            index -= 1
        }
        return limit
    }

    static func endsSentence(_ character: Character) -> Bool {
        ".!?。！？".contains(character)
    }
}
