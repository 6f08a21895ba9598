import Testing
import TributaryCore

@testable import Engine

/// The chunker must cut exactly where the whole-file reader would: every row, line number and
/// problem the chunks yield is the one `CSVReader` yields reading the file in one go.
@Suite struct CSVChunkerTests {
    /// What a reader yields, as comparable text (rows and problems with their lines), empty rows left out.
    func items(_ reader: inout CSVReader) throws -> [String] {
        var out: [String] = []
        while let item = try reader.next() {
            switch item {
            case .row(let row) where row.fields == [""]: continue
            case .row(let row): out.append("\(row.line):\(row.fields)")
            case .malformed(let problem, _): out.append("\(problem.line):bad \(problem.column) \(problem.reason)")
            }
        }
        return out
    }

    func whole(_ bytes: [UInt8]) throws -> [String] {
        var remaining = bytes[...]
        var reader = CSVReader(chunkSize: 5) { n in
            defer { remaining = remaining.dropFirst(n) }; return Array(remaining.prefix(n))
        }
        _ = try reader.next()  // the header
        return try items(&reader)
    }

    func chunked(_ bytes: [UInt8], rowsPerChunk: Int, readSize: Int) throws -> (items: [String], counted: Int) {
        var remaining = bytes[...]
        var chunker = CSVChunker(rowsPerChunk: rowsPerChunk, readSize: readSize) { n in
            defer { remaining = remaining.dropFirst(n) }; return Array(remaining.prefix(n))
        }
        var out: [String] = []
        var counted = 0
        while let chunk = try chunker.next() {
            #expect(chunk.rowsBefore == counted)
            #expect(chunk.rows <= rowsPerChunk)
            var reader = CSVReader(bytes: chunk.bytes, firstLine: chunk.firstLine)
            let got = try items(&reader)
            #expect(got.count == chunk.rows, "a chunk's count is its non-empty rows")
            out += got
            counted += chunk.rows
        }
        return (out, counted)
    }

    @Test func chunksYieldWhatTheWholeFileReaderYields() throws {
        let text =
            "\u{FEFF}a,b,c\r\n1,\"x, y\",\"say \"\"hi\"\"\"\r\n\n2,\"two\nlines\",\n\"\"\n3,,\"\"\r\n4,x\"y\n5,\"ok\"z\n\r\n6,\"\"\"\",\"a\r\nb\"\n7,last"
        let bytes = Array(text.utf8)
        let expected = try whole(bytes)
        #expect(expected.count == 7)
        for rows in [1, 2, 3, 100] {
            for readSize in [1, 2, 3, 7, 1 << 20] {
                let (got, counted) = try chunked(bytes, rowsPerChunk: rows, readSize: readSize)
                #expect(got == expected, "rows \(rows), read size \(readSize)")
                #expect(counted == expected.count)
            }
        }
    }

    @Test func generatedFilesWithQuotesAndNewlinesCutTheSame() throws {
        var random = SplitMix64(seed: 42)
        let pieces = ["a", "b,c", "7,8\n", "\r\n\r\n", "\"q\"", "\"x\ny\"", "\"\"\"\"", "\r", "\n", ",", "\"", "z\"z", "\r\n", "\"open,", "1.5"]
        for _ in 0..<200 {
            var text = "h1,h2\n"
            for _ in 0..<Int.random(in: 1...40, using: &random) { text += pieces.randomElement(using: &random)! }
            let bytes = Array(text.utf8)
            let expected = try whole(bytes)
            // Small reads cut rows across buffers (the byte-by-byte path); a large read holds
            // whole rows, so rows without quotes take the memchr path.
            for rows in [1, 3] {
                for readSize in [4, 1 << 20] {
                    #expect(try chunked(bytes, rowsPerChunk: rows, readSize: readSize).items == expected, "\(text.debugDescription)")
                }
            }
        }
    }

    @Test func aLastChunkOfEmptyRowsCountsNothing() throws {
        var remaining = Array("h\n1\n2\n\n\r\n".utf8)[...]
        var chunker = CSVChunker(rowsPerChunk: 2) { n in
            defer { remaining = remaining.dropFirst(n) }; return Array(remaining.prefix(n))
        }
        let first = try #require(try chunker.next())
        #expect(first.rows == 2 && first.firstLine == 2 && first.rowsBefore == 0)
        let second = try #require(try chunker.next())
        #expect(second.rows == 0 && second.firstLine == 4 && second.rowsBefore == 2 && second.endOffset == 9)
        #expect(try chunker.next() == nil)
    }
}
