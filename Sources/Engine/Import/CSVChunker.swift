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

    /// Reads up to the buffer's size into it, returning how many bytes it read (0 at the end).
    typealias ReadInto = (UnsafeMutableRawBufferPointer) throws -> Int

    private let readInto: ReadInto
    private let rowsPerChunk: Int
    private let readSize: Int
    /// Where the chunks' byte arrays come from (and go back to once converted), when given.
    private let spare: ArrayPool<UInt8>?
    /// The read buffer, allocated once: `filled` bytes of it hold input, read `readSize` at a time.
    private var input: [UInt8]
    private var filled = 0
    private var position = 0
    private var consumed = 0
    private var atEnd = false
    private var started = false
    private var line = 1
    private var rowsSoFar = 0

    /// - Parameters:
    ///   - readSize: how many bytes each read asks for (a chunk's array is reserved at this size).
    ///   - spare: a pool the chunks' byte arrays are taken from; without one each chunk has a new array.
    ///   - readInto: reads into the buffer it is given (see ``ReadInto``).
    init(rowsPerChunk: Int, readSize: Int = 1 << 20, spare: ArrayPool<UInt8>? = nil, readInto: @escaping ReadInto) {
        self.readInto = readInto
        self.rowsPerChunk = max(1, rowsPerChunk)
        self.readSize = max(1, readSize)
        self.spare = spare
        // Room for a byte-order mark however small the reads are.
        input = [UInt8](repeating: 0, count: max(self.readSize, 4))
    }

    /// - Parameter read: returns up to `n` bytes, or none at the end (as ``CSVReader``'s).
    init(rowsPerChunk: Int, readSize: Int = 1 << 20, read: @escaping (Int) throws -> [UInt8]) {
        var pending: ArraySlice<UInt8> = []
        self.init(rowsPerChunk: rowsPerChunk, readSize: readSize) { buffer in
            if pending.isEmpty { pending = try read(buffer.count)[...] }
            let count = min(pending.count, buffer.count)
            buffer.copyBytes(from: pending.prefix(count))
            pending = pending.dropFirst(count)
            return count
        }
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
        var bytes = spare?.take(capacity: readSize) ?? []
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

    /// Reads `readSize` more bytes into the (reused) buffer once the last are used up.
    private mutating func fill() throws -> Bool {
        if position < filled { return true }
        if atEnd { return false }
        consumed += filled
        let size = readSize, readInto = readInto
        filled = try input.withUnsafeMutableBytes { try readInto(UnsafeMutableRawBufferPointer(rebasing: $0[..<size])) }
        position = 0
        if filled == 0 { atEnd = true }
        return filled > 0
    }

    private mutating func skipByteOrderMark() throws {
        let mark: [UInt8] = [0xEF, 0xBB, 0xBF]
        guard try fill() else { return }
        let readInto = readInto
        while filled - position < 3 {
            let start = filled
            let more = try input.withUnsafeMutableBytes { try readInto(UnsafeMutableRawBufferPointer(rebasing: $0[start...])) }
            if more == 0 { break }
            filled += more
        }
        if input[position..<filled].starts(with: mark) { position += 3 }
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
            while position < filled {
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
        let filled = filled
        let newline: Int? = input.withUnsafeBufferPointer { bytes in
            guard let base = bytes.baseAddress, start < filled else { return nil }
            let count = filled - start
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
