import Foundation

#if canImport(Glibc)
    import Glibc
    private let systemRead = Glibc.read
#elseif canImport(Darwin)
    import Darwin
    private let systemRead = Darwin.read
#endif

/// Streams RFC 4180 CSV from any byte source with flat memory: quoted fields, doubled quotes,
/// embedded newlines, CRLF or LF line ends, a UTF-8 byte-order mark. A malformed row (a stray
/// quote, text after a closing quote, an unterminated quote, invalid UTF-8) is reported with its
/// line and column and the reader carries on at the next line — one bad row loses nothing else.
public struct CSVReader {
    /// One row: its fields, the line it starts on, and the byte offset just past it.
    public struct Row: Sendable {
        public var fields: [String]
        public var line: Int
        public var endOffset: Int
    }

    public struct Malformed: Error, Sendable, Hashable, CustomStringConvertible {
        public var line: Int
        public var column: Int
        public var reason: String
        public var description: String { "line \(line), column \(column): \(reason)" }
    }

    public enum Item: Sendable {
        case row(Row)
        case malformed(Malformed, endOffset: Int)

        /// The line the row starts on, well-formed or not.
        public var line: Int {
            switch self {
            case .row(let row): row.line
            case .malformed(let problem, _): problem.line
            }
        }
    }

    private let read: (Int) throws -> [UInt8]
    private var buffer: [UInt8] = []
    private var position = 0
    /// Bytes consumed before `buffer[0]`.
    private var base = 0
    private var atEnd = false
    private var line = 1
    private var checkedBOM = false
    /// Fields of the widest row so far (at most 64): each row's array is reserved at this size
    /// once instead of growing from empty through four reallocations.
    private var widest = 0
    /// A row's fields array handed back (``recycle(_:)``): the next row fills its storage.
    private var spareFields: [String] = []
    public let chunkSize: Int

    /// - Parameter read: returns up to `n` bytes, or none at the end.
    public init(chunkSize: Int = 1 << 20, read: @escaping (Int) throws -> [UInt8]) {
        self.chunkSize = chunkSize
        self.read = read
    }

    /// Reads rows already in memory (a ``CSVChunker`` chunk) whose first row starts on
    /// `firstLine`; no byte-order mark is looked for.
    package init(bytes: [UInt8], firstLine: Int) {
        var pending: [UInt8]? = bytes
        self.init(chunkSize: max(1, bytes.count)) { _ in
            defer { pending = nil }; return pending ?? []
        }
        line = firstLine
        checkedBOM = true
    }

    /// Reads from a file handle (a file, or a decompressor's pipe).
    public init(handle: FileHandle, chunkSize: Int = 1 << 20) {
        self.init(chunkSize: chunkSize, read: Self.reading(handle))
    }

    /// A handle's bytes in pieces, as `read` takes them (up to n, none at the end): read(2)
    /// straight into the array, rather than into a `Data` copied into an array (a second pass
    /// over every byte of the file, on the one thread that cuts it into chunks).
    static func reading(_ handle: FileHandle) -> (Int) throws -> [UInt8] {
        reading(readingInto(handle))
    }

    /// `n` bytes at a time from `readInto`, each in an array of its own.
    static func reading(_ readInto: @escaping (UnsafeMutableRawBufferPointer) throws -> Int) -> (Int) throws -> [UInt8] {
        { n in
            guard n > 0 else { return [] }
            return try [UInt8](unsafeUninitializedCapacity: n) { buffer, count in
                count = 0
                count = try readInto(UnsafeMutableRawBufferPointer(buffer))
            }
        }
    }

    /// A handle's bytes read into the buffer the caller gives (a chunker reuses one for the
    /// whole file rather than a new megabyte of pages per read).
    static func readingInto(_ handle: FileHandle) -> (UnsafeMutableRawBufferPointer) throws -> Int {
        let descriptor = handle.fileDescriptor
        return { buffer in
            // Keeps the handle (and so its descriptor) open while this reader is in use.
            try withExtendedLifetime(handle) { try readSome(descriptor, into: buffer) }
        }
    }

    /// `read(2)` into `buffer`, again when a signal interrupts it: the bytes read, 0 at the end.
    static func readSome(_ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer) throws(POSIXError) -> Int {
        while true {
            let got = systemRead(descriptor, buffer.baseAddress, buffer.count)
            if got >= 0 { return got }
            if errno != EINTR { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        }
    }

    /// Bytes consumed so far (for progress and checkpoints).
    public var offset: Int { base + position }

    /// Makes sure at least one byte is available at `position`; false at the end.
    private mutating func fill() throws -> Bool {
        if position < buffer.count { return true }
        if atEnd { return false }
        base += buffer.count
        buffer = try read(chunkSize)
        position = 0
        if buffer.isEmpty { atEnd = true; return false }
        if !checkedBOM {
            checkedBOM = true
            // The mark may straddle chunks: look at the first three bytes however they arrive.
            while buffer.count < 3 {
                let more = try read(chunkSize)
                if more.isEmpty { break }
                buffer += more
            }
            if buffer.starts(with: [0xEF, 0xBB, 0xBF]) { position = 3; return try fill() }
        }
        return true
    }

    /// The next row, a malformed row, or nil at the end.
    public mutating func next() throws -> Item? {
        guard try fill() else { return nil }
        let startLine = line
        var fields: [String] = []
        swap(&fields, &spareFields)
        fields.reserveCapacity(widest)
        var field: [UInt8] = []
        var column = 1
        var problem: Malformed?
        var quoted = false
        var fieldStarted = false
        var afterQuote = false
        func finish(_ field: inout [UInt8]) {
            if problem == nil {
                if let text = field.withUnsafeBufferPointer(Self.text) {
                    fields.append(text)
                } else {
                    problem = Malformed(line: startLine, column: fields.count + 1, reason: "not valid UTF-8")
                }
            }
            field.removeAll(keepingCapacity: true)
        }
        while try fill() {
            if !quoted, !fieldStarted, !afterQuote, problem == nil {
                // Fast path: an unquoted field that ends (comma or LF) inside the buffer becomes its
                // `String` straight from the buffer, with no byte-by-byte copy.
                let rest = buffer[position...]
                if let end = rest.firstIndex(where: { $0 == 0x2C || $0 == 0x0A || $0 == 0x22 || $0 == 0x0D }), buffer[end] != 0x22, buffer[end] != 0x0D {
                    guard let text = buffer.withUnsafeBufferPointer({ Self.text(UnsafeBufferPointer(rebasing: $0[position..<end])) }) else {
                        problem = Malformed(line: startLine, column: fields.count + 1, reason: "not valid UTF-8")
                        position = end
                        fieldStarted = true
                        continue
                    }
                    fields.append(text)
                    position = end + 1
                    if buffer[end] == 0x0A {
                        line += 1
                        return item(fields, problem, startLine)
                    }
                    column += 1
                    continue
                }
            }
            if quoted {
                // Fast path: copy up to the next quote or newline.
                let end = buffer[position...].firstIndex { $0 == 0x22 || $0 == 0x0A } ?? buffer.count
                field.append(contentsOf: buffer[position..<end])
                position = end
                guard position < buffer.count else { continue }
                let byte = buffer[position]
                position += 1
                if byte == 0x0A { line += 1; field.append(byte); continue }
                // A quote: doubled means a literal quote, otherwise the field's end.
                guard try fill() else { quoted = false; afterQuote = true; continue }
                if buffer[position] == 0x22 { field.append(0x22); position += 1 } else { quoted = false; afterQuote = true }
                continue
            }
            let byte = buffer[position]
            position += 1
            switch byte {
            case 0x2C:  // ,
                finish(&field)
                fieldStarted = false
                afterQuote = false
                column += 1
            case 0x0A:  // \n ends the row
                line += 1
                if field.last == 0x0D, !afterQuote { field.removeLast() }
                finish(&field)
                return item(fields, problem, startLine)
            case 0x0D where afterQuote:  // CR after a closing quote, before LF
                continue
            case 0x22 where !fieldStarted && !afterQuote:
                quoted = true
                fieldStarted = true
            default:
                if afterQuote || byte == 0x22 {
                    if problem == nil {
                        problem = Malformed(
                            line: startLine, column: fields.count + 1,
                            reason: afterQuote ? "text after a closing quote" : "a quote inside an unquoted field (quote the whole field and double the quote)")
                    }
                }
                fieldStarted = true
                field.append(byte)
            }
        }
        // End of input: the last row may lack a newline.
        if quoted, problem == nil {
            problem = Malformed(line: startLine, column: fields.count + 1, reason: "a quoted field is never closed")
        }
        if field.last == 0x0D, !afterQuote { field.removeLast() }
        finish(&field)
        if fields == [""] && problem == nil { return nil }
        return item(fields, problem, startLine)
    }

    /// A cell's bytes as text, nil when they are not UTF-8. An ASCII cell — nearly every cell
    /// of a market-data file — takes the standard library's fast non-generic path; only a cell
    /// with other bytes goes through full validation.
    static func text(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        var high: UInt8 = 0
        for byte in bytes { high |= byte }
        if high < 0x80 { return String(decoding: bytes, as: UTF8.self) }
        return String(validating: bytes, as: UTF8.self)
    }

    /// Takes back a row the caller is done with, so the next row's fields go into its array
    /// instead of a new one (an allocation and a free per row of a million-row import).
    public mutating func recycle(_ item: consuming Item) {
        guard case .row(var row) = consume item else { return }
        row.fields.removeAll(keepingCapacity: true)
        swap(&spareFields, &row.fields)
    }

    private mutating func item(_ fields: [String], _ problem: Malformed?, _ line: Int) -> Item {
        widest = min(64, max(widest, fields.count))
        if let problem { return .malformed(problem, endOffset: offset) }
        return .row(Row(fields: fields, line: line, endOffset: offset))
    }
}
