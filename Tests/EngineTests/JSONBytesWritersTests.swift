import Pipeline
import Testing
import TributaryCore
import TributaryTesting

/// The byte writers of the hot paths (JSON Lines, exports, the bus's CloudEvents) must write
/// exactly what the `JSONValue` trees they replaced encode to, for every kind and every
/// provenance shape: consumers (and the stored JSON Lines of older exports) see no difference.
@Suite struct JSONBytesWritersTests {
    /// Every kind, REST and file provenance (optional members present and absent), one envelope
    /// whose identity rules chose, and strings that need escaping.
    static let envelopes: [Envelope] = {
        var all = SampleRecords.rest() + SampleRecords.file()
        var keyed = SampleRecords.rest(symbol: "A\"B\\C\u{1}")[2]
        keyed.identity = "trade_id=\"x\"\n|venue"
        keyed.provenance.transformations = []
        all.append(keyed)
        // Decimals keep the scale they came with (a hash normalizes them; documents do not).
        var book = SampleRecords.rest()[3]
        let level = Book.Level(price: try! ExactDecimal(parsing: "0.35210000"), size: try! ExactDecimal(parsing: "672.000"))
        book.record.payload = .book(Book(asOf: SampleRecords.time, bids: [level], asks: [level, level]))
        all.append(book)
        return all
    }()

    /// The event as the tree `CloudEvent.encode` built before it wrote bytes.
    static func cloudEventTree(_ envelope: Envelope) -> [UInt8] {
        var data = envelope.jsonObject
        if let identity = envelope.identity { data.members.append(("identity", .string(identity))) }
        var members: [(key: String, value: JSONValue)] = [
            ("specversion", .string("1.0")),
            ("id", .string(CloudEvent.id(of: envelope))),
            ("source", .string("tributary/\(envelope.record.source.rawValue)")),
            ("type", .string("tributary.\(envelope.record.kind.rawValue)")),
            ("subject", .string(envelope.record.symbol)),
        ]
        if let time = envelope.record.asOf { members.append(("time", .string(time.rfc3339))) }
        members += [("datacontenttype", .string("application/json")), ("data", .object(data))]
        return JSONWriter.encode(.object(JSONObject(members)))
    }

    @Test(arguments: envelopes)
    func anEnvelopesBytesAreItsTreeEncoded(envelope: Envelope) {
        let tree = JSONWriter.encode(.object(envelope.jsonObject))
        #expect(String(decoding: envelope.jsonBytes, as: UTF8.self) == String(decoding: tree, as: UTF8.self))
        #expect(envelope.jsonLine == String(decoding: tree, as: UTF8.self))
    }

    @Test(arguments: envelopes)
    func aCloudEventsBytesAreItsTreeEncodedAndDecodeBack(envelope: Envelope) throws {
        let bytes = CloudEvent.encode(envelope)
        #expect(String(decoding: bytes, as: UTF8.self) == String(decoding: Self.cloudEventTree(envelope), as: UTF8.self))
        // (As JSON Lines: the wire's times carry milliseconds, the samples nanoseconds.)
        #expect(try CloudEvent.decode(bytes).jsonLine == envelope.jsonLine)
    }

    /// Appending to a buffer that already holds lines leaves them as they were.
    @Test func writingAppendsAfterWhatTheBufferHolds() {
        var bytes = Array("prefix\n".utf8)
        for envelope in Self.envelopes.prefix(3) {
            envelope.writeJSON(into: &bytes)
            bytes.append(0x0A)
        }
        let expected = "prefix\n" + Self.envelopes.prefix(3).map { $0.jsonLine + "\n" }.joined()
        #expect(String(decoding: bytes, as: UTF8.self) == expected)
    }
}
