import Testing
import TributaryCore

@Suite struct UTCTimestampTests {
    @Test func formatsRFC3339WithMilliseconds() {
        #expect(UTCTimestamp(millisecondsSinceEpoch: 1_499_869_899_040)!.rfc3339 == "2017-07-12T14:31:39.040Z")
        #expect(UTCTimestamp(millisecondsSinceEpoch: 0)!.rfc3339 == "1970-01-01T00:00:00.000Z")
        #expect(UTCTimestamp(secondsSinceEpoch: 1_577_975_400)!.rfc3339 == "2020-01-02T14:30:00.000Z")
        #expect(UTCTimestamp(millisecondsSinceEpoch: -1)!.rfc3339 == "1969-12-31T23:59:59.999Z")
        #expect(UTCTimestamp(secondsSinceEpoch: 951_782_400)!.rfc3339 == "2000-02-29T00:00:00.000Z")
    }

    @Test(arguments: [
        (Int64.min, "1677-09-21 00:12:43.145224+00"),
        (-1, "1969-12-31 23:59:59.999999+00"),
        (0, "1970-01-01 00:00:00.000000+00"),
        (1_499_869_899_040_123_999, "2017-07-12 14:31:39.040123+00"),
        (951_782_400_000_000_000, "2000-02-29 00:00:00.000000+00"),
        (Int64.max, "2262-04-11 23:47:16.854775+00"),
    ])
    func writesSQLTimestampsFlooredToTheMicrosecond(_ nanoseconds: Int64, _ text: String) {
        var bytes: [UInt8] = []
        UTCTimestamp(nanosecondsSinceEpoch: nanoseconds).writeSQLTimestamp(into: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == text)
    }

    @Test func truncatesRatherThanRoundsSubMilliseconds() {
        #expect(UTCTimestamp(nanosecondsSinceEpoch: 1_999_999_999).rfc3339 == "1970-01-01T00:00:01.999Z")
    }

    @Test func parsesMicrosecondsAndOffsets() throws {
        let coinbase = try #require(UTCTimestamp(rfc3339: "2024-03-13T11:10:41.270099Z"))
        #expect(coinbase.nanosecondsSinceEpoch == 1_710_328_241_270_099_000)
        #expect(coinbase.rfc3339 == "2024-03-13T11:10:41.270Z")
        let offset = try #require(UTCTimestamp(rfc3339: "2024-01-02T05:04:05+02:00"))
        #expect(offset.rfc3339 == "2024-01-02T03:04:05.000Z")
        #expect(UTCTimestamp(rfc3339: "2024-01-02 03:04:05.5-01:30")?.rfc3339 == "2024-01-02T04:34:05.500Z")
    }

    @Test(arguments: [
        "2024-02-30T00:00:00Z", "2023-02-29T00:00:00Z", "2024-01-02T03:04:05", "2024-01-02", "2024-13-01T00:00:00Z",
        "2024-01-02T24:00:00Z", "2024-01-02T03:04:05.Z", "2024-01-02T03:04:05Zjunk", "",
    ])
    func rejectsInvalidTimes(text: String) {
        #expect(UTCTimestamp(rfc3339: text) == nil)
    }

    @Test func roundTripsAcrossCenturies() {
        for seconds in stride(from: Int64(-2_208_988_800), through: 4_102_444_800, by: 86_399_987) {
            let time = UTCTimestamp(secondsSinceEpoch: seconds)!
            #expect(UTCTimestamp(rfc3339: time.rfc3339) == time)
        }
    }
}
