import Testing
import TributaryCore

/// Times from untrusted text near and past the ends of what 64-bit nanoseconds hold: nil, never a trap.
@Suite struct TimeRangeTests {
    @Test func theBoundariesParseAndOneMillisecondBeyondDoesNot() throws {
        let first = try #require(UTCTimestamp(rfc3339: "1677-09-21T00:12:43.146Z"))
        let last = try #require(UTCTimestamp(rfc3339: "2262-04-11T23:47:16.854Z"))
        #expect(first.rfc3339 == "1677-09-21T00:12:43.146Z" && last.rfc3339 == "2262-04-11T23:47:16.854Z")
        #expect(UTCTimestamp(rfc3339: "1677-09-21T00:12:43.145Z") == nil)
        #expect(UTCTimestamp(rfc3339: "2262-04-11T23:47:16.855Z") == nil)
        #expect(UTCTimestamp.supportedRangeText == "1677-09-21T00:12:43.146Z … 2262-04-11T23:47:16.854Z")
        #expect(UTCTimestamp(nanosecondsSinceEpoch: .min).rfc3339 == "1677-09-21T00:12:43.145Z")
    }

    @Test(arguments: [
        "2262-04-12T00:00:00Z", "9999-12-31T23:59:59Z", "0000-01-01T00:00:00Z", "9999999999", "-9999999999",
        "9999999999999999999", "99999999999999999999", "1700000000000.5", "99999999999.5",
        "9999-12-31 23:59:59", "2262-04-11T23:47:16.854-01:00",
    ])
    func outOfRangeTextIsNil(_ text: String) {
        #expect(TimeText.parse(text) == nil)
    }

    @Test func epochUnitsAreChecked() {
        #expect(UTCTimestamp(secondsSinceEpoch: 9_223_372_036) != nil)
        #expect(UTCTimestamp(secondsSinceEpoch: 9_223_372_037) == nil)
        #expect(UTCTimestamp(millisecondsSinceEpoch: .min) == nil && UTCTimestamp(microsecondsSinceEpoch: .max) == nil)
        #expect(UTCTimestamp(epoch: .max, unit: .nanoseconds)?.nanosecondsSinceEpoch == .max)
        #expect(TimeText.parse("-1.5")?.nanosecondsSinceEpoch == -1_500_000_000)
        #expect(TimeText.parse("1700000000.1234567891")?.nanosecondsSinceEpoch == 1_700_000_000_123_456_789)
    }

    @Test func arithmeticAcrossTheWholeRangeDoesNotTrap() {
        let (low, high) = (UTCTimestamp(nanosecondsSinceEpoch: .min), UTCTimestamp(nanosecondsSinceEpoch: .max))
        #expect(high.adding(nanoseconds: 1) == nil && low.adding(seconds: -1) == nil)
        #expect(high.duration(since: low) > .seconds(18_446_744_073))
        #expect(low.duration(since: high) < .zero)
        #expect(ExchangeTime.localDate(of: high, zone: "Asia/Tokyo") == nil)
        #expect(ExchangeTime.utc(fromLocal: "1677-09-21 00:12:44", zone: "America/New_York") != nil)
    }
}

@Suite struct RelativeTimeTests {
    let now = UTCTimestamp(secondsSinceEpoch: 1_700_000_000)!

    @Test func relativeAbsoluteAndDates() {
        #expect(TimeText.parse("now", relativeTo: now) == now)
        #expect(TimeText.parse("-1h", relativeTo: now) == UTCTimestamp(secondsSinceEpoch: 1_699_996_400))
        #expect(TimeText.parse("+30m", relativeTo: now) == UTCTimestamp(secondsSinceEpoch: 1_700_001_800))
        #expect(TimeText.parse("-250ms", relativeTo: now)?.nanosecondsSinceEpoch == 1_699_999_999_750_000_000)
        #expect(TimeText.parse("2024-01-02", relativeTo: now)?.rfc3339 == "2024-01-02T00:00:00.000Z")
        #expect(TimeText.parse("2024-01-02T03:04:05Z", relativeTo: now)?.rfc3339 == "2024-01-02T03:04:05.000Z")
        #expect(TimeText.parse("1700000000", relativeTo: now) == now)
        for bad in ["yesterday", "-1y", "-", "+h", "-99999999999d", "2024-13-01"] { #expect(TimeText.parse(bad, relativeTo: now) == nil, "\(bad)") }
    }
}
