/// Cuts a large pushed body into chunks of about 100 KB at event boundaries, so it is parsed
/// and validated a chunk at a time: the parsed JSON of one chunk is alive at once (a parsed tree
/// is several times its text), and a chunk that does not parse can be set aside — dead-lettered
/// with its byte range — while the others are accepted (`?partial=true`).
///
/// NDJSON is cut after a line end; a top-level JSON array between two elements (found by a scan
/// that tracks nesting and strings). Anything the scan does not understand — not an array,
/// unbalanced, trailing bytes — returns nil, and the body is parsed whole as before, which
/// names the exact byte of the mistake.
package enum PushChunker {
    /// Bodies up to this size are parsed whole.
    package static let threshold = 1_048_576
    /// The size chunks are cut at (the first boundary at or after it).
    package static let target = 100 * 1024

    /// One chunk: its bytes' range in the body and what it is parsed as.
    package struct Chunk: Equatable, Sendable {
        /// The bytes of whole events (for an array: between the brackets, without the commas at its ends).
        package var range: Range<Int>
        /// The body's line the chunk starts on (1-based), for messages and dead letters.
        package var line: Int
    }

    /// NDJSON lines, cut after the first `\n` at or past `target` bytes from a chunk's start.
    package static func lines(_ body: [UInt8], target: Int = target) -> [Chunk] {
        var chunks: [Chunk] = []
        var start = 0
        var line = 1
        var linesInChunk = 0
        var index = 0
        while index < body.count {
            guard let newline = body[index...].firstIndex(of: 0x0A) else { break }
            linesInChunk += 1
            index = newline + 1
            if index - start >= target {
                chunks.append(Chunk(range: start..<index, line: line))
                line += linesInChunk
                linesInChunk = 0
                start = index
            }
        }
        if start < body.count { chunks.append(Chunk(range: start..<body.count, line: line)) }
        return chunks
    }

    /// A top-level JSON array's elements in chunks, or nil when the body is not one the scan
    /// can cut (then it is parsed whole).
    package static func arrayElements(_ body: [UInt8], target: Int = target) -> [Chunk]? {
        var index = 0
        var line = 1
        func skipSpace() {
            while index < body.count, [0x20, 0x09, 0x0A, 0x0D].contains(body[index]) {
                if body[index] == 0x0A { line += 1 }
                index += 1
            }
        }
        skipSpace()
        guard index < body.count, body[index] == UInt8(ascii: "[") else { return nil }
        index += 1
        var chunks: [Chunk] = []
        var start = index
        var startLine = line
        var depth = 0
        var inString = false
        while index < body.count {
            let byte = body[index]
            if byte == 0x0A { line += 1 }
            if inString {
                if byte == UInt8(ascii: "\\") {
                    index += 1
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                index += 1
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "["), UInt8(ascii: "{"): depth += 1
            case UInt8(ascii: "}"):
                guard depth > 0 else { return nil }
                depth -= 1
            case UInt8(ascii: "]"):
                if depth > 0 {
                    depth -= 1
                } else {
                    // The array's end: the last chunk, then only white space may follow.
                    let last = start..<index
                    index += 1
                    skipSpace()
                    guard index == body.count else { return nil }
                    let empty = body[last].allSatisfy { [0x20, 0x09, 0x0A, 0x0D].contains($0) }
                    // `[1,]` must fail as a whole body does, not vanish as an empty last chunk.
                    if empty, !chunks.isEmpty { return nil }
                    if !empty { chunks.append(Chunk(range: last, line: startLine)) }
                    return chunks
                }
            case UInt8(ascii: ","):
                if depth == 0, index - start >= target {
                    guard !body[start..<index].allSatisfy({ [0x20, 0x09, 0x0A, 0x0D].contains($0) }) else { return nil }
                    chunks.append(Chunk(range: start..<index, line: startLine))
                    start = index + 1
                    startLine = line
                }
            default: break
            }
            index += 1
        }
        return nil
    }
}
