import Testing
import TributaryCore

@Suite struct ExactArithmeticTests {
    func d(_ text: String) -> ExactDecimal { try! ExactDecimal(parsing: text) }

    @Test func addSubtractHalveExactly() {
        #expect(d("0.1").adding(d("0.2")) == d("0.3"))
        #expect(d("100.30").subtracting(d("100.10")) == d("0.2"))
        #expect(d("1").halved == d("0.5"))
        #expect(d("0.00000001").halved == d("0.000000005"))
        #expect(ExactDecimal(mantissa: .max, scale: 0).adding(ExactDecimal(1)) == nil)
    }

    @Test func medianOfOddAndEvenCounts() {
        #expect(ExactDecimal.median([d("3"), d("1"), d("2")]) == d("2"))
        #expect(ExactDecimal.median([d("1.1"), d("1.2")]) == d("1.15"))
        #expect(ExactDecimal.median([]) == nil)
    }

    @Test func asOfPerKind() {
        let t = UTCTimestamp(secondsSinceEpoch: 1_700_000_000)!
        func record(_ payload: Record.Payload) -> Record { Record(source: "s", endpoint: "e", symbol: "X", venueSymbol: "X", payload: payload) }
        #expect(record(.quote(Quote(asOf: t))).asOf == t)
        #expect(record(.observation(Observation(series: "GDP", date: "2024-01-01", value: nil))).asOf?.rfc3339 == "2024-01-01T00:00:00.000Z")
        #expect(record(.observation(Observation(series: "GDP", date: "2024-13-01", value: nil))).asOf == nil)
        #expect(record(.balance(Balance(asset: "BTC", free: ExactDecimal(1), locked: ExactDecimal(0)))).asOf == nil)
    }
}
