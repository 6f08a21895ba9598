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
}
