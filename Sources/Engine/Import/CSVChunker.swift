#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Cuts a CSV byte stream into chunks of whole rows — `rowsPerChunk` rows each, the header row
/// left out — so the rows can be parsed and converted on every core while the store commits the
/// chunks in file order.
///
/// It reads each byte once and keeps only the quoting state ``CSVReader`` keeps (a quote opens
/// a quoted field only at a field's start; a doubled quote inside one is a literal; a newline
/// ends a row only outside quotes), so its row boundaries and line numbers are the reader's:
/// a chunk parsed by `CSVReader(bytes:firstLine:)` yields the rows the whole-file reader yields.
/// Empty rows (an empty line, or only `""`) are carried in the chunk but not counted, as
/// ``CSVImport`` skips them.
struct CSVChunker {
    struct Chunk: Sendable {
        /// Whole rows, the last one ending in a newline unless it ends the file.
        var bytes: [UInt8]
        /// The line the chunk's first row starts on.
        var firstLine: Int
        /// How many non-empty rows came before this chunk (the header not counted).
        var rowsBefore: Int
        /// Non-empty rows in the chunk.
        var rows: Int
        /// The byte offset just past the chunk in the file.
        var endOffset: Int
    }

    private let read: (Int) throws -> [UInt8]
    private let rowsPerChunk: Int
    private let readSize: Int
    private var input: [UInt8] = []
    private var position = 0
    private var consumed = 0
    private var atEnd = false
    private var started = false
    private var line = 1
    private var rowsSoFar = 0

    /// - Parameter read: returns up to `n` bytes, or none at the end (as ``CSVReader``'s).
    init(rowsPerChunk: Int, readSize: Int = 1 << 20, read: @escaping (Int) throws -> [UInt8]) {
        self.read = read
        self.rowsPerChunk = max(1, rowsPerChunk)
        self.readSize = readSize
    }

    /// The next chunk, or nil at the end of the input.
    mutating func next() throws -> Chunk? {
        if !started {
            started = true
            try skipByteOrderMark()
            // The header row is the import's to read; chunks hold data rows only.
            var header: [UInt8] = []
            _ = try scanRow(into: &header)
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(readSize)
        let firstLine = line, before = rowsSoFar
        var rows = 0
        while rows < rowsPerChunk, let nonEmpty = try scanRow(into: &bytes) {
            if nonEmpty { rows += 1 }
        }
        guard !bytes.isEmpty else { return nil }
        rowsSoFar += rows
        return Chunk(bytes: bytes, firstLine: firstLine, rowsBefore: before, rows: rows, endOffset: consumed + position)
    }

    private mutating func fill() throws -> Bool {
        if position < input.count { return true }
        if atEnd { return false }
        consumed += input.count
        input = try read(readSize)
        position = 0
        if input.isEmpty { atEnd = true }
        return !input.isEmpty
    }

    private mutating func skipByteOrderMark() throws {
        let mark: [UInt8] = [0xEF, 0xBB, 0xBF]
        guard try fill() else { return }
        while input.count - position < 3 {
            let more = try read(readSize)
            if more.isEmpty { break }
            input += more
        }
        if input[position...].starts(with: mark) { position += 3 }
    }

    /// Copies one row (with its newline) into `out`; nil at the end of the input, else whether
    /// the row is non-empty.
    private mutating func scanRow(into out: inout [UInt8]) throws -> Bool? {
        guard try fill() else { return nil }
        if let nonEmpty = plainRow(into: &out) { return nonEmpty }
        var quoted = false
        var fieldStart = true
        // Inside quotes, a quote that may be the first of a doubled pair (decided by the next byte).
        var pendingQuote = false
        // Enough of the row's start to tell an empty row: at most `""\r`.
        var head: [UInt8] = []
        var length = 0
        var ended = false
        while !ended, try fill() {
            let start = position
            while position < input.count {
                let byte = input[position]
                position += 1
                if length < 4 { head.append(byte) }
                length += 1
                if byte == 0x0A { line += 1 }
                if pendingQuote {
                    pendingQuote = false
                    if byte == 0x22 { continue }
                    quoted = false
                }
                if quoted {
                    if byte == 0x22 { pendingQuote = true }
                    continue
                }
                switch byte {
                case 0x0A: ended = true
                case 0x2C: fieldStart = true
                case 0x22 where fieldStart: quoted = true; fieldStart = false
                default: fieldStart = false
                }
                if ended { break }
            }
            out.append(contentsOf: input[start..<position])
        }
        if head.last == 0x0A { head.removeLast() }
        if head.last == 0x0D { head.removeLast() }
        return !(head.isEmpty || head == [0x22, 0x22])
    }

    /// The common row — no quote in it, its newline already read — found with two `memchr`s
    /// instead of `scanRow`'s byte-by-byte state machine: copied into `out`, and whether it is
    /// non-empty. Nil leaves the row to ``scanRow(into:)``'s general loop (a quote, or a row
    /// that runs past what has been read).
    private mutating func plainRow(into out: inout [UInt8]) -> Bool? {
        let start = position
        let newline: Int? = input.withUnsafeBufferPointer { bytes in
            guard let base = bytes.baseAddress, start < bytes.count else { return nil }
            let count = bytes.count - start
            guard let found = memchr(base + start, 0x0A, count) else { return nil }
            let end = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
            return memchr(base + start, 0x22, end - start) == nil ? end : nil
        }
        guard let newline else { return nil }
        position = newline + 1
        line += 1
        out.append(contentsOf: input[start..<position])
        // Without quotes a row is empty only when it is nothing but its line end.
        let length = newline - start
        return !(length == 0 || (length == 1 && input[start] == 0x0D))
    }
}
