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

    /// The chunks of `text`. Settings with a ``problem`` are first brought into range (size
    /// 50…100000, overlap below half the size); callers report `problem` before they get here.
    public func chunks(of text: String, documentID: String) -> [DocumentChunk] {
        guard problem == nil else {
            let size = min(max(size, 50), 100_000)
            return DocumentChunker(size: size, overlap: min(max(overlap, 0), size / 2 - 1)).chunks(of: text, documentID: documentID)
        }
        let bytes = Array(text.utf8)
        var scanner = CharacterScanner(text, utf8: bytes)
        // The characters from the current chunk's start: at most size + 1 are read ahead, so
        // memory stays at the chunk size however long the text (one buffer, reused).
        let offsets = UnsafeMutableBufferPointer<Int>.allocate(capacity: size + 1)
        let marks = UnsafeMutableBufferPointer<CharacterScanner.Class>.allocate(capacity: size + 1)
        defer {
            offsets.deallocate()
            marks.deallocate()
        }
        var count = 0
        var chunks: [DocumentChunk] = []
        while true {
            while count <= size, let character = scanner.next() {
                offsets[count] = character.offset
                marks[count] = character.marks
                count += 1
            }
            guard count > 0 else { break }
            let rest = count <= size
            let end = rest ? count : cut(UnsafeBufferPointer(marks))
            let piece = bytes[offsets[0]..<(end < count ? offsets[end] : scanner.position)]
            chunks.append(
                DocumentChunk(
                    documentID: documentID, chunkID: chunks.count, offset: piece.startIndex, length: piece.count,
                    chunkHash: ContentHash.of(bytes: piece), text: String(decoding: piece, as: UTF8.self)))
            guard !rest else { break }
            // The next chunk repeats the last `overlap` characters, always moving forward.
            let next = max(end - overlap, 1)
            for index in next..<count {
                offsets[index - next] = offsets[index]
                marks[index - next] = marks[index]
            }
            count -= next
        }
        return chunks
    }

    /// Where the chunk whose `size + 1` first characters are `marks` ends (exclusive): after
    /// the last blank line in its second half, else the last sentence end, else the last space,
    /// else at `size`.
    private func cut(_ marks: UnsafeBufferPointer<CharacterScanner.Class>) -> Int {
        let limit = size
        let earliest = size / 2
        // A paragraph break: a newline followed by another (blank line).
        var index = limit
        while index > earliest {
            if marks[index - 1].contains(.newline), index >= 2, marks[index - 2].contains(.newline) { return index }
            index -= 1
        }
        // A sentence end: terminal punctuation followed by whitespace.
        index = limit
        while index > earliest {
            if marks[index - 1].contains(.whitespace), index >= 2, marks[index - 2].contains(.sentenceEnd) { return index }
            index -= 1
        }
        index = limit
        while index > earliest {
            if marks[index - 1].contains(.whitespace) { return index }
            index -= 1
        }
        return limit
    }
}
