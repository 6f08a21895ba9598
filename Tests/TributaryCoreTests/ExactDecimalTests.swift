import Testing
import TributaryCore

@Suite struct ExactDecimalTests {
    @Test(arguments: [
        ("4.00000200", "4.00000200"), ("-94.99999800", "-94.99999800"), ("0", "0"), ("0.1", "0.1"),
        ("100", "100"), ("+7.5", "7.5"), ("5.856e-05", "0.00005856"), ("8.69e-05", "0.0000869"),
        ("1E+3", "1000"), ("1.5e2", "150"), ("19995671.0", "19995671.0"), (".5", "0.5"),
        ("1317802988326.25", "1317802988326.25"), ("-0.00000001", "-0.00000001"),
    ])
    func parsesAndPrintsExactly(input: String, printed: String) throws {
        #expect(try ExactDecimal(parsing: input).description == printed)
    }

    @Test(arguments: [
        "", "-", "abc", "NaN", "Infinity", "1.2.3", "1e", "1e+", "12a", "1 2", "--1", "0x10",
        "123456789012345678901234567890123456789012",
    ])
    func rejectsWhatIsNotADecimal(input: String) {
        #expect(throws: DecimalParseError.self) { try ExactDecimal(parsing: input) }
    }

    @Test func keepsDigitsADoubleWouldLose() throws {
        let value = try ExactDecimal(parsing: "0.10000000000000000001")
        #expect(value.description == "0.10000000000000000001")
        #expect(value != (try ExactDecimal(parsing: "0.1")))
    }

    @Test func comparesNumericallyAcrossScales() throws {
        #expect(try ExactDecimal(parsing: "1.50") == ExactDecimal(parsing: "1.5"))
        #expect(try ExactDecimal(parsing: "1.50").hashValue == ExactDecimal(parsing: "1.5").hashValue)
        #expect(try ExactDecimal(parsing: "0.99") < ExactDecimal(parsing: "1"))
        #expect(try ExactDecimal(parsing: "-2") < ExactDecimal(parsing: "-1.999"))
        #expect(try ExactDecimal(parsing: "100000000000000000000000000000") > ExactDecimal(parsing: "0.00000000000000000000000001"))
    }

    @Test func normalizedDropsOnlyTrailingFractionZeros() throws {
        #expect(try ExactDecimal(parsing: "4.00000200").normalized.description == "4.000002")
        #expect(try ExactDecimal(parsing: "100.000").normalized.description == "100")
        #expect(try ExactDecimal(parsing: "100").normalized.description == "100")
    }
}
