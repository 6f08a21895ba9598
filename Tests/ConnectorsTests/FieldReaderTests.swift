import Connectors
import Testing
import TributaryCore

/// A field read off a ``JSONTape`` is the field read from the parsed tree: the same value, or
/// the same error word for word (decoders moved to the tape must not change what users read).
@Suite struct FieldReaderTests {
    static let documents = [
        #"{"s":"BTCUSDT","d":"95337.49000000","n":1.5e2,"i":1763894399999,"is":"42","z":null,"b":true,"o":{},"a":[1],"bad":"12abc","e":"\u00e9"}"#,
        #"[1,2]"#, #""text""#, #"null"#,
    ]
    static let keys = ["s", "d", "n", "i", "is", "z", "b", "o", "a", "bad", "e", "missing"]

    /// Each read's value or error message, comparable across the two readers.
    static func reads(_ fields: FieldReader, _ key: String) -> [String] {
        func outcome<T>(_ read: () throws(ConnectorError) -> T) -> String {
            do { return "\(try read())" } catch { return "error: \(error)" }
        }
        return [
            outcome { () throws(ConnectorError) in try fields.string(key) },
            outcome { () throws(ConnectorError) in try fields.int(key) },
            outcome { () throws(ConnectorError) in try fields.decimal(key).description },
            outcome { () throws(ConnectorError) in try fields.optionalDecimal(key)?.description ?? "nil" },
            outcome { () throws(ConnectorError) in try fields.time(key, .milliseconds).rfc3339 },
            outcome { () throws(ConnectorError) in try fields.value(key) },
        ]
    }

    @Test(arguments: documents)
    func theTapeReadsAsTheTree(text: String) throws {
        let bytes = Array(text.utf8)
        let tape = try JSONTape(parsing: bytes)
        let onTape = FieldReader(tape: tape, at: tape.root, source: "test", context: "ticker")
        let inTree = FieldReader(json: try JSONParser.parse(bytes), source: "test", context: "ticker")
        #expect(onTape.json == inTree.json)
        for key in Self.keys {
            #expect(Self.reads(onTape, key) == Self.reads(inTree, key), "key \(key) of \(text)")
        }
        // Something the reads could get wrong is in there: a decimal kept exact, a named error.
        if text.hasPrefix("{") {
            #expect(try onTape.decimal("d").description == "95337.49000000")
            #expect(throws: ConnectorError.self) { try onTape.decimal("bad") }
            #expect(Self.reads(onTape, "missing")[0].contains("ticker: field 'missing' is missing"))
            #expect(Self.reads(onTape, "bad")[2].contains("field 'bad' is '12abc', expected a decimal number"))
        }
    }

    @Test func aMemberIsFoundByItsExactBytes() throws {
        let tape = try JSONTape(parsing: Array(#"{"ab":1,"a":2,"\u0061":3,"é":4}"#.utf8))
        #expect(tape.member("a", of: tape.root).flatMap { tape.int64(at: $0) } == 2)
        #expect(tape.member("ab", of: tape.root).flatMap { tape.int64(at: $0) } == 1)
        #expect(tape.member("é", of: tape.root).flatMap { tape.int64(at: $0) } == 4)
        #expect(tape.member("abc", of: tape.root) == nil)
        #expect(tape.member("", of: tape.root) == nil)
    }
}
