/// An instant in UTC, kept as nanoseconds since the Unix epoch.
///
/// Upstreams speak seconds (Finnhub), milliseconds (Binance), microseconds (Coinbase) and
/// nanoseconds (Polygon); one integer type holds them all without the rounding a `Double`
/// or `Date` would add. It prints as RFC 3339 with milliseconds (`2024-01-02T03:04:05.123Z`),
/// the one time format of Tributary's output. The range covers 1677–2262.
public struct UTCTimestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let nanosecondsSinceEpoch: Int64

    public init(nanosecondsSinceEpoch: Int64) {
        self.nanosecondsSinceEpoch = nanosecondsSinceEpoch
    }

    public init(secondsSinceEpoch seconds: Int64) {
        self.init(nanosecondsSinceEpoch: seconds * 1_000_000_000)
    }

    public init(millisecondsSinceEpoch milliseconds: Int64) {
        self.init(nanosecondsSinceEpoch: milliseconds * 1_000_000)
    }

    public init(microsecondsSinceEpoch microseconds: Int64) {
        self.init(nanosecondsSinceEpoch: microseconds * 1_000)
    }

    /// The current wall-clock time.
    public static func now() -> UTCTimestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return UTCTimestamp(nanosecondsSinceEpoch: Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec))
    }

    public var millisecondsSinceEpoch: Int64 { nanosecondsSinceEpoch.floorDivided(by: 1_000_000) }

    public static func < (lhs: UTCTimestamp, rhs: UTCTimestamp) -> Bool {
        lhs.nanosecondsSinceEpoch < rhs.nanosecondsSinceEpoch
    }

    /// RFC 3339, UTC, exactly three fractional digits (truncated, never rounded up into the next second).
    public var description: String { rfc3339 }

    public var rfc3339: String {
        var bytes: [UInt8] = []
        writeRFC3339(into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends the RFC 3339 text to `bytes` without building a `String`.
    public func writeRFC3339(into out: inout [UInt8]) {
        let millis = millisecondsSinceEpoch
        let days = millis.floorDivided(by: 86_400_000)
        let msOfDay = Int(millis - days * 86_400_000)
        let (year, month, day) = CivilCalendar.civil(fromDays: days)
        func pad(_ value: Int, _ width: Int) {
            var divisor = 1
            for _ in 1..<width { divisor *= 10 }
            var v = value
            while divisor > 0 {
                out.append(UInt8(48 + v / divisor % 10))
                v %= divisor
                divisor /= 10
            }
        }
        if year < 0 || year > 9999 {
            out.append(contentsOf: String(year).utf8)
        } else {
            pad(Int(year), 4)
        }
        out.append(UInt8(ascii: "-")); pad(month, 2)
        out.append(UInt8(ascii: "-")); pad(day, 2)
        out.append(UInt8(ascii: "T")); pad(msOfDay / 3_600_000, 2)
        out.append(UInt8(ascii: ":")); pad(msOfDay / 60_000 % 60, 2)
        out.append(UInt8(ascii: ":")); pad(msOfDay / 1000 % 60, 2)
        out.append(UInt8(ascii: ".")); pad(msOfDay % 1000, 3)
        out.append(UInt8(ascii: "Z"))
    }
}

extension Int64 {
    /// Division rounding toward negative infinity, so times before 1970 split into days correctly.
    func floorDivided(by divisor: Int64) -> Int64 {
        let q = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? q - 1 : q
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
