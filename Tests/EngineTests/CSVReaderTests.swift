import Engine
import Testing

@Suite struct CSVReaderTests {
    func read(_ text: String, chunk: Int = 3) throws -> [CSVReader.Item] {
        var bytes = Array(text.utf8)[...]
        var reader = CSVReader(chunkSize: chunk) { n in
            defer { bytes = bytes.dropFirst(n) }
            return Array(bytes.prefix(n))
        }
        var items: [CSVReader.Item] = []
        while let item = try reader.next() { items.append(item) }
        return items
    }

    func rows(_ items: [CSVReader.Item]) -> [[String]] {
        items.compactMap { if case .row(let row) = $0 { row.fields } else { nil } }
    }

    @Test func rfc4180QuotingNewlinesAndLineEnds() throws {
        let text = "\u{FEFF}a,b,c\r\n1,\"x, y\",\"say \"\"hi\"\"\"\r\n2,\"two\nlines\",\n3,,\"\"\n4,last"
        for chunk in [1, 2, 3, 7, 1 << 20] {
            let items = try read(text, chunk: chunk)
            #expect(
                rows(items) == [["a", "b", "c"], ["1", "x, y", "say \"hi\""], ["2", "two\nlines", ""], ["3", "", ""], ["4", "last"]], "chunk \(chunk)")
            guard case .row(let fourth) = items[3] else { Issue.record("not a row"); continue }
            #expect(fourth.line == 5, "the row after a two-line field starts on line 5")
        }
    }

    @Test func malformedRowsAreReportedAndReadingGoesOn() throws {
        let items = try read("a,b\n1,x\"y\n2,\"ok\"z\n3,fine\n4,\"open")
        #expect(rows(items) == [["a", "b"], ["3", "fine"]])
        let problems = items.compactMap { if case .malformed(let problem, _) = $0 { problem } else { nil } }
        #expect(problems.map(\.line) == [2, 3, 5])
        #expect(problems[0].column == 2 && problems[0].reason.contains("quote inside an unquoted field"))
        #expect(problems[1].reason.contains("after a closing quote"))
        #expect(problems[2].reason.contains("never closed"))
    }

    @Test func invalidUTF8IsARowProblem() throws {
        // Small chunks take the byte-by-byte path, one large chunk the whole-field fast path.
        for chunk in [4, 1 << 20] {
            var bytes = Array("a\n".utf8) + [0xFF, 0xFE] + Array("\nb\nx,".utf8) + [0xC3] + Array(",y\nc\n".utf8)
            var reader = CSVReader(chunkSize: chunk) { n in
                defer { bytes = Array(bytes.dropFirst(n)) }; return Array(bytes.prefix(n))
            }
            var kinds: [String] = []
            while let item = try reader.next() {
                switch item {
                case .row(let row): kinds.append(row.fields[0])
                case .malformed(let problem, _): kinds.append("bad@\(problem.line):\(problem.column)")
                }
            }
            #expect(kinds == ["a", "bad@2:1", "b", "bad@4:2", "c"], "chunk \(chunk)")
        }
    }
}
