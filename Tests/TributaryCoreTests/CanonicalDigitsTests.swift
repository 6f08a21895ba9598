import Testing
import TributaryCore

/// Only the text `String(n)` writes is a number: it must read back as the same text.
@Suite struct CanonicalDigitsTests {
    @Test(arguments: ["0", "7", "10", "4170001", "999999999999999999"])
    func canonicalTextIsItsNumber(text: String) {
        let value = CanonicalDigits.value(text)
        #expect(value != nil)
        #expect(value.map { String($0) } == text)
    }

    @Test(arguments: ["", "00", "007", "+7", "-7", "7 ", " 7", "1e3", "1.0", "1000000000000000000", "９", "7\u{0}"])
    func otherTextIsNot(text: String) {
        #expect(CanonicalDigits.value(text) == nil)
    }

    @Test func linesAndKeysFollowTheOneRule() {
        for text in ["0", "12", "012", "1234567890123456789", "x1"] {
            #expect(Provenance.lineNumber("line:" + text) == CanonicalDigits.value(text), "\(text)")
        }
        #expect(Provenance.lineNumber("line:") == nil && Provenance.lineNumber("lin") == nil)
    }
}
