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

@Suite struct JSONParserStrictnessTests {
    @Test func invalidUTF8IsAnErrorAtItsByte() throws {
        for byte: UInt8 in [0xFF, 0xFE, 0xC0, 0x80] {
            var body = Array(#"{"id":"badX"}"#.utf8)
            body[10] = byte
            let error = #expect(throws: JSONParseError.self) { try JSONParser.parse(body) }
            #expect(error?.offset == 10 && error?.message.contains("invalid UTF-8") == true, "\(String(describing: error))")
        }
        // Escapes take the slow path, validated too; valid multi-byte text passes.
        var escaped = Array(#"{"id":"a\nbX"}"#.utf8)
        escaped[11] = 0xFF
        #expect(throws: JSONParseError.self) { try JSONParser.parse(escaped) }
        #expect(try JSONParser.parse(Array(#"{"id":"café € 𝄞"}"#.utf8))["id"]?.stringValue == "café € 𝄞")
    }

    @Test func duplicateKeysAreRefusedWhenAsked() throws {
        let body = Array(#"{"a":1,"b":{"c":1,"c":2}}"#.utf8)
        #expect(try JSONParser.parse(body)["b"]?["c"] == .number("1"))  // lenient by default: the first wins
        let error = #expect(throws: JSONParseError.self) { try JSONParser.parse(body, options: .rejectDuplicateKeys) }
        #expect(error?.offset == 18 && error?.message == "duplicate key 'c' in object (send each field once)", "\(String(describing: error))")
        // Each object's keys are its own: the same names in nested and sibling objects are fine.
        for fine in [#"{"a":{"a":1,"b":2},"b":3}"#, #"[{"a":1},{"a":2}]"#, #"{"a":[{"a":{"a":1}}],"b":{"b":[]}}"#, #"{"a":{},"b":{}}"#] {
            #expect(throws: Never.self, "\(fine)") { try JSONParser.parse(Array(fine.utf8), options: .rejectDuplicateKeys) }
        }
        // A duplicate after a nested object, and one spelled with an escape, are still found.
        for (bad, offset) in [(#"{"a":{"x":1,"y":{}},"b":2,"a":3}"#, 26), (#"{"k":[{"k":1}],"k":2}"#, 15), (#"{"a":1,"\u0061":2}"#, 7)] {
            let error = #expect(throws: JSONParseError.self, "\(bad)") { try JSONParser.parse(Array(bad.utf8), options: .rejectDuplicateKeys) }
            #expect(error?.offset == offset && error?.message.hasPrefix("duplicate key") == true, "\(bad): \(String(describing: error))")
        }
    }
}
