import Connectors
import Engine
import Foundation
import Pipeline
import StoreSQLite
import Testing
import TributaryCore

/// Bodies over 1 MB are read in chunks of about 100 KB at event boundaries: every event is
/// still read exactly once, and with `?partial=true` a chunk that does not parse is set aside
/// as a dead letter with its byte range while the other chunks are accepted.
@Suite struct PushChunkTests {
    static func trade(_ id: Int) -> String {
        #"{"kind":"trade","symbol":"BTC-USD","trade_id":"\#(id),]\"}{","time":"2024-01-02T03:04:05Z","price":"1.5","size":"2"}"#
    }

    static func ndjson(_ count: Int) -> [UInt8] { Array((0..<count).map(trade).joined(separator: "\n").utf8) + [0x0A] }

    func gateway(capacity: Int = 100_000) throws -> (PushGateway, NormalizationBuffer<Envelope>, SQLiteStore) {
        var definition = SourceDefinition(id: "acme", file: "acme.yaml")
        var push = SourceDefinition.Push()
        push.maxBodyBytes = 16 * 1_048_576
        definition.push = push
        let buffer = NormalizationBuffer<Envelope>(capacity: capacity)
        let store = try SQLiteStore(path: NSTemporaryDirectory() + "tributary-chunks-\(UUID().uuidString)/t.sqlite")
        return (PushGateway(definitions: ["acme": definition], environment: [:], buffer: buffer, idempotency: nil, deadLetters: store), buffer, store)
    }

    func push(_ gateway: PushGateway, _ body: [UInt8], type: String, partial: Bool = false) async -> PushGateway.Response {
        await gateway.handle(PushGateway.Request(source: "acme", contentType: type, body: body, header: { _ in nil }, partial: partial))
    }

    @Test func ndjsonChunksEndAtLineEndsAndCoverTheBody() {
        let body = Self.ndjson(3_000)
        let chunks = PushChunker.lines(body)
        #expect(chunks.count > 1)
        #expect(chunks.first?.range.lowerBound == 0 && chunks.last?.range.upperBound == body.count)
        for (before, after) in zip(chunks, chunks.dropFirst()) {
            #expect(before.range.upperBound == after.range.lowerBound)
            #expect(body[before.range.upperBound - 1] == 0x0A)
            #expect(before.range.count >= PushChunker.target && before.range.count < PushChunker.target + 200)
            #expect(after.line == before.line + body[before.range].filter { $0 == 0x0A }.count)
        }
    }

    @Test func arrayChunksHoldWholeElementsAndParseToTheSameEvents() throws {
        let text = "[" + (0..<3_000).map(Self.trade).joined(separator: ",\n ") + "]\n"
        let body = Array(text.utf8)
        let chunks = try #require(PushChunker.arrayElements(body))
        #expect(chunks.count > 1)
        var events: [JSONValue] = []
        for chunk in chunks {
            guard case .success(let items) = PushFormat.arrayElements(body, chunk.range) else {
                Issue.record("chunk at \(chunk.range) does not parse")
                return
            }
            events += items
        }
        guard case .success(let whole) = PushFormat.json.parse(body) else {
            Issue.record("the body does not parse")
            return
        }
        #expect(events == whole)
    }

    /// What the scan cannot cut is parsed whole, so the whole body's error is reported.
    @Test(arguments: [
        "{\"kind\":\"trade\"}", "[1,2,]", "[1,2] x", "[1,[2]", "[1,2", "1,2]", "[\"a,b\",  ,1]",
    ])
    func whatTheScanCannotCutIsParsedWhole(_ text: String) {
        #expect(PushChunker.arrayElements(Array(text.utf8), target: 2) == nil)
    }

    @Test func aLargeBodyIsAcceptedWholeAcrossChunks() async throws {
        let (gateway, buffer, _) = try gateway()
        let ndjson = Self.ndjson(20_000)
        #expect(ndjson.count > 2 * PushChunker.threshold)
        let lines = await push(gateway, ndjson, type: "application/x-ndjson")
        #expect(lines.status == 202, "\(lines.body)")
        #expect(lines.body["accepted"] == .number("20000"))
        let array = Array(("[" + (20_000..<40_000).map(Self.trade).joined(separator: ",") + "]").utf8)
        let elements = await push(gateway, array, type: "application/json")
        #expect(elements.status == 202, "\(elements.body)")
        #expect(elements.body["accepted"] == .number("20000"))
        var ids = Set<String>()
        while buffer.stats.depth > 0, let batch = await buffer.next(max: 10_000) {
            for envelope in batch { ids.insert(envelope.record.naturalKey) }
        }
        #expect(ids.count == 40_000)
    }

    @Test func aBadChunkIsSetAsideWithItsOffsetAndTheRestAccepted() async throws {
        let (gateway, buffer, store) = try gateway()
        var body = Self.ndjson(20_000)
        // Break one line in the middle of the body.
        let middle = body.count / 2
        let lineStart = try #require(body[..<middle].lastIndex(of: 0x0A)) + 1
        body[lineStart] = UInt8(ascii: "x")
        let chunk = try #require(PushChunker.lines(body).first { $0.range.contains(lineStart) })
        let linesInChunk = body[chunk.range].filter { $0 == 0x0A }.count

        let strict = await push(gateway, body, type: "application/x-ndjson")
        #expect(strict.status == 400)
        #expect("\(strict.body)".contains("at byte \(lineStart) of the body"), "\(strict.body)")
        #expect(buffer.stats.depth == 0)

        let partial = await push(gateway, body, type: "application/x-ndjson", partial: true)
        #expect(partial.status == 202, "\(partial.body)")
        #expect(partial.body["accepted"] == .number(String(20_000 - linesInChunk)))
        let rejected = try #require(partial.body["rejected_chunks"])
        #expect("\(rejected)".contains("\(chunk.range.lowerBound)"))
        #expect(buffer.stats.depth == 20_000 - linesInChunk)
        let letters = try await store.deadLetters(source: "acme")
        #expect(letters.count == 1)
        #expect(letters.first?.reason.contains("bytes \(chunk.range.lowerBound)..<\(chunk.range.upperBound)") == true)
        guard case .row(_, let line, let raw)? = letters.first?.payload else {
            Issue.record("not a row dead letter")
            return
        }
        // The store keeps at most its dead-letter cap (64 KB by default) of the chunk; the reason
        // names the whole range, so the sender can send it again from its own copy.
        #expect(raw.count == min(chunk.range.count, 64 * 1024), "\(raw.count) bytes kept of \(chunk.range.count)")
        #expect(raw[...] == body[chunk.range].prefix(raw.count))
        #expect(line == chunk.line)
    }
}
