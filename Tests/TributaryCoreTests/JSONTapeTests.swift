import Testing
import TributaryCore

/// The tape is read as strictly as a parse, and every value read from it equals the tree's.
@Suite struct JSONTapeTests {
    static let documents = [
        #"[[1700000000000,"95000.12000000","95003.5",1.5e2,"-7",12,null,true,false,"x\"y",{"a":[1,2],"a":3},[]],[]]"#,
        #"{"symbol":"BTCUSDT","nested":{"deep":[[[["ünï"]]]]},"n":-0.000001,"i":"+42","big":"9223372036854775808"}"#,
        #"  [ "\u00e9\ud83d\ude00", 0, -0, 123456789012345678901234567890, "" ]  "#,
    ]

    @Test(arguments: documents)
    func valuesReadFromTheTapeEqualTheTree(text: String) throws {
        let bytes = Array(text.utf8)
        let tree = try JSONParser.parse(bytes)
        let tape = try JSONTape(parsing: bytes)
        #expect(tape.value(at: tape.root) == tree)
        func compare(_ position: JSONTape.Position, _ value: JSONValue) {
            #expect(tape.typeName(at: position) == value.typeName)
            #expect(tape.decimal(at: position) == value.decimalValue)
            #expect(tape.int64(at: position) == value.int64Value)
            #expect(tape.string(at: position) == value.stringValue)
            switch value {
            case .array(let items):
                #expect(tape.arrayCount(at: position) == items.count)
                for (item, element) in zip(items, tape.elements(of: position)) { compare(element, item) }
                for (index, item) in items.enumerated() {
                    if let element = tape.element(index, of: position) { compare(element, item) } else { Issue.record("no element \(index)") }
                }
                #expect(tape.element(items.count, of: position) == nil)
            case .object(let object):
                #expect(tape.arrayCount(at: position) == nil)
                for key in object.keys {
                    if let member = tape.member(key, of: position), let value = object[key] { compare(member, value) } else { Issue.record("no \(key)") }
                }
            default:
                #expect(tape.arrayCount(at: position) == nil)
            }
        }
        compare(tape.root, tree)
    }

    @Test(arguments: [
        #"[1,2"#, #"{"a":1,}"#, #"["\x"]"#, "[\"bad\u{1}\"]", #"[01]"#, #"[1.]"#, #"{"a":1} x"#, #"["\ud800"]"#, #"[tru]"#,
    ])
    func malformedDocumentsFailAtTheSameByteAsAParse(text: String) {
        let bytes = Array(text.utf8)
        var parseError: JSONParseError?
        do { _ = try JSONParser.parse(bytes) } catch { parseError = error }
        var tapeError: JSONParseError?
        do { _ = try JSONTape(parsing: bytes) } catch { tapeError = error }
        #expect(parseError != nil)
        #expect(tapeError == parseError)
    }

    @Test func invalidUTF8AndDuplicateKeysAreRefused() {
        #expect(throws: JSONParseError.self) { try JSONTape(parsing: [0x5B, 0x22, 0x62, 0xFF, 0x22, 0x5D]) }
        #expect(throws: JSONParseError.self) { try JSONTape(parsing: Array(#"{"a":1,"a":2}"#.utf8), options: .rejectDuplicateKeys) }
        #expect((try? JSONTape(parsing: Array(#"{"a":1,"a":2}"#.utf8))) != nil)
    }
}
