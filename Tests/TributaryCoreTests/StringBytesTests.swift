import Testing
import TributaryCore

/// Identities compare by their UTF-8 bytes: `sameBytes` for equality, `precedesByBytes` for the
/// order the stores' keys are in (SQLite's BINARY collation).
@Suite struct StringBytesTests {
    static let texts = [
        "", "a", "b", "ab", "abc", "abd", "B", "Z", "z", "0", "10", "9", "é", "e\u{301}", "\u{0}", "a\u{0}", "a\u{0}b", "€", "𝄞",
        "BTC-USDT", "BTC-USD", "trade-000000000000001", "trade-00000000000001", String(repeating: "x", count: 40),
    ]

    @Test func theOrderIsTheUTF8BytesOrder() {
        for a in Self.texts {
            for b in Self.texts {
                let expected = Array(a.utf8).lexicographicallyPrecedes(Array(b.utf8))
                #expect(a.precedesByBytes(b) == expected, "\(Array(a.utf8)) < \(Array(b.utf8))")
                #expect(a.sameBytes(as: b) == (Array(a.utf8) == Array(b.utf8)))
            }
        }
    }

    @Test func canonicallyEquivalentTextsStayApart() {
        #expect("é" == "e\u{301}")
        #expect(!"é".sameBytes(as: "e\u{301}"))
        #expect("e\u{301}".precedesByBytes("é"))
        #expect(!"é".precedesByBytes("e\u{301}"))
    }

    @Test func asciiLowercasingLowersOnlyASCIILetters() {
        #expect(String(asciiLowercasing: Array("Application/JSON; Charset=UTF-8".utf8)) == "application/json; charset=utf-8")
        // Non-ASCII letters keep their case and their bytes; other bytes pass through.
        #expect(String(asciiLowercasing: Array("ÉTÉ-Ω@[`{Z\u{0}".utf8)).sameBytes(as: "ÉtÉ-Ω@[`{z\u{0}"))
        // None of these has an uppercase letter outside ASCII: both foldings agree byte for byte.
        for text in Self.texts { #expect(String(asciiLowercasing: text.utf8).sameBytes(as: text.lowercased()), "\(text)") }
    }
}
