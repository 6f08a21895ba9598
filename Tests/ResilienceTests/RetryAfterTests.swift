import Resilience
import Testing
import TributaryCore

@Suite struct RetryAfterTests {
    let now = UTCTimestamp(rfc3339: "1994-11-06T08:49:30Z")!

    @Test func delaySeconds() {
        #expect(RetryAfter.delay("53", now: now) == .seconds(53))
        #expect(RetryAfter.delay(" 0 ", now: now) == .zero)
        #expect(RetryAfter.delay("120", now: now) == .seconds(120))
    }

    @Test func allThreeHTTPDateForms() {
        #expect(RetryAfter.delay("Sun, 06 Nov 1994 08:49:37 GMT", now: now) == .seconds(7))
        #expect(RetryAfter.delay("Sunday, 06-Nov-94 08:49:37 GMT", now: now) == .seconds(7))
        #expect(RetryAfter.delay("Sun Nov  6 08:49:37 1994", now: now) == .seconds(7))
    }

    @Test func datesInThePastMeanNow() {
        #expect(RetryAfter.delay("Sun, 06 Nov 1994 08:00:00 GMT", now: now) == .zero)
    }

    @Test(arguments: [
        nil, "", "soon", "-5", "1.5", "Sun, 06 Nov 1994 08:49:37 PST", "Sun, 31 Feb 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 25:00:00 GMT", "Fri, 06 Nov 94 08:49:37 GMT",
    ])
    func malformedValuesAreNil(value: String?) {
        #expect(RetryAfter.delay(value, now: now) == nil)
    }

    @Test func hugeValuesSaturateInsteadOfOverflowing() throws {
        let delay = try #require(RetryAfter.delay("99999999999999999999999", now: now))
        #expect(delay >= .seconds(Int64(Int32.max)))
    }
}
