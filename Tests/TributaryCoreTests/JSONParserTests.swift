import Testing
import TributaryCore

@Suite struct JSONParserTests {
    @Test func keepsNumbersAsWritten() throws {
        let value = try JSONParser.parse(Array(#"{"a":67187.33589365664,"b":5.856e-05,"c":-0,"d":[1,2.50]}"#.utf8))
        #expect(value["a"] == .number("67187.33589365664"))
        #expect(value["b"]?.decimalValue?.description == "0.00005856")
        #expect(value["c"] == .number("-0"))
        #expect(value["d"]?[1] == .number("2.50"))
    }

    @Test func readsEscapesAndUnicode() throws {
        let value = try JSONParser.parse(Array(#"["a\"b\\c\/\n", "\u00e9\ud83d\ude00", "ü"]"#.utf8))
        #expect(value[0]?.stringValue == "a\"b\\c/\n")
        #expect(value[1]?.stringValue == "é😀")
        #expect(value[2]?.stringValue == "ü")
    }

    @Test(arguments: [
        (#"{"a":1,}"#, 7), (#"[1 2]"#, 3), (#"{"a" 1}"#, 5), ("tru", 0), (#""abc"#, 4), ("01", 1),
        (#"{"a":1} x"#, 8), ("", 0), (#"["\ud800"]"#, 8), ("[1.]", 3),
    ])
    func reportsTheByteOffsetOfTheMistake(text: String, offset: Int) {
        #expect {
            try JSONParser.parse(Array(text.utf8))
        } throws: { error in
            (error as? JSONParseError)?.offset == offset
        }
    }

    @Test func refusesNestingBeyondTheLimit() {
        let deep = String(repeating: "[", count: JSONParser.maxDepth + 2) + String(repeating: "]", count: JSONParser.maxDepth + 2)
        #expect(throws: JSONParseError.self) { try JSONParser.parse(Array(deep.utf8)) }
    }

    @Test func writerRoundTripsAndCanonicalSortsKeys() throws {
        let text = #"{"b":[1,"x\n"],"a":{"d":null,"c":true}}"#
        let value = try JSONParser.parse(Array(text.utf8))
        #expect(JSONWriter.string(value) == text)
        #expect(JSONWriter.string(value, canonical: true) == #"{"a":{"c":true,"d":null},"b":[1,"x\n"]}"#)
    }
}
