import Pipeline
import TributaryCore

extension PushGateway {
    /// A body's events as envelopes: those that are valid records, each invalid one's problems
    /// (by its index in the body), and — for a large body pushed with `partial` — the chunks
    /// that did not parse, set aside whole.
    package struct Decoded: Sendable {
        package var envelopes: [Envelope] = []
        package var rejected: [JSONValue] = []
        package var badChunks: [BadChunk] = []
        /// Events parsed, valid or not.
        package var events = 0
    }

    /// A chunk of a large body that did not parse: where it is and why.
    package struct BadChunk: Sendable {
        package var number: Int
        package var of: Int
        package var chunk: PushChunker.Chunk
        package var problem: String

        var json: JSONValue {
            .object(
                JSONObject([
                    ("chunk", .number(String(number))), ("offset", .number(String(chunk.range.lowerBound))),
                    ("length", .number(String(chunk.range.count))), ("line", .number(String(chunk.line))), ("error", .string(problem)),
                ]))
        }
    }

    /// Parses and validates a body — whole up to ``PushChunker/threshold``, above it a chunk of
    /// about 100 KB at a time (NDJSON and JSON arrays) — or answers why it cannot be read.
    /// Pure: the fuzz harness drives it too.
    package static func decode(
        _ body: [UInt8], format: PushFormat, source: SourceID, rules: NormalizationRules?, partial: Bool, requestID: String, receivedAt: UTCTimestamp
    ) -> Result<Decoded, ParseFailure> {
        var decoded = Decoded()
        func add(_ items: [JSONValue]) {
            let built = envelopes(
                of: items, source: source, rules: rules, format: format, requestID: requestID, receivedAt: receivedAt, firstIndex: decoded.events)
            decoded.envelopes += built.envelopes
            decoded.rejected += built.rejected
            decoded.events += items.count
        }
        guard let chunks = chunks(of: body, format: format) else {
            switch format.parse(body) {
            case .success(let items): add(items)
            case .failure(let problem): return .failure(ParseFailure(description: problem.description))
            }
            return .success(decoded)
        }
        for (index, chunk) in chunks.enumerated() {
            let parsed: Result<[JSONValue], PushFormat.ParseProblem>
            if case .ndjson = format {
                parsed = PushFormat.lines(body[chunk.range], firstLine: chunk.line)
            } else {
                parsed = PushFormat.arrayElements(body, chunk.range)
            }
            switch parsed {
            case .success(let items): add(items)
            case .failure(let problem):
                let bad = BadChunk(number: index + 1, of: chunks.count, chunk: chunk, problem: problem.description)
                guard partial else {
                    return .failure(
                        ParseFailure(
                            description:
                                "\(problem.description) (chunk \(bad.number) of \(bad.of), bytes \(chunk.range.lowerBound)..<\(chunk.range.upperBound)); nothing was accepted"
                        ))
                }
                decoded.badChunks.append(bad)
            }
        }
        return .success(decoded)
    }

    /// Why a body cannot be read at all.
    package struct ParseFailure: Error, CustomStringConvertible {
        package var description: String
    }

    /// The chunks a body is read in, or nil to read it whole (small, Protobuf, or not cuttable).
    static func chunks(of body: [UInt8], format: PushFormat) -> [PushChunker.Chunk]? {
        guard body.count > PushChunker.threshold else { return nil }
        switch format {
        case .ndjson: return PushChunker.lines(body)
        case .json: return PushChunker.arrayElements(body)
        case .protobuf: return nil
        }
    }

    /// A bad chunk as a dead letter: its bytes, the request and where they were in its body.
    static func deadLetter(_ bad: BadChunk, body: [UInt8], source: SourceID, requestID: String) -> DeadLetter {
        DeadLetter(
            source: source.rawValue, endpoint: "push",
            reason:
                "push request \(requestID): chunk \(bad.number) of \(bad.of) (bytes \(bad.chunk.range.lowerBound)..<\(bad.chunk.range.upperBound), from line \(bad.chunk.line)) was set aside: \(bad.problem)",
            payload: .row(file: "/ingest/\(source.rawValue)", line: bad.chunk.line, raw: Array(body[bad.chunk.range])))
    }
}
