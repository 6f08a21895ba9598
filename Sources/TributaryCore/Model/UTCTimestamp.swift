import Foundation
import SwiftOverlayShims

/// An instant in UTC, kept as nanoseconds since the Unix epoch.
///
/// Upstreams speak seconds (Finnhub), milliseconds (Binance), microseconds (Coinbase) and
/// nanoseconds (Polygon); one integer type holds them all without the rounding a `Double`
/// or `Date` would add. It prints as RFC 3339 with milliseconds (`2024-01-02T03:04:05.123Z`),
/// the one time format of Tributary's output.
///
/// The range is what 64 bits of nanoseconds hold: ``supportedRange``, 1677-09-21T00:12:43.145224192Z
/// through 2262-04-11T23:47:16.854775807Z (in whole milliseconds, .146Z through .854Z). Times come from untrusted text (pushed events, CSV cells,
/// upstream bodies), so every conversion from a coarser unit is checked and answers nil outside
/// the range instead of trapping; callers turn that nil into an error naming the field and
/// ``supportedRangeText``.
public struct UTCTimestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let nanosecondsSinceEpoch: Int64

    public init(nanosecondsSinceEpoch: Int64) {
        self.nanosecondsSinceEpoch = nanosecondsSinceEpoch
    }

    /// Nil when `seconds` lies outside ``supportedRange``.
    public init?(secondsSinceEpoch seconds: Int64) {
        self.init(seconds, times: 1_000_000_000)
    }

    /// Nil when `milliseconds` lies outside ``supportedRange``.
    public init?(millisecondsSinceEpoch milliseconds: Int64) {
        self.init(milliseconds, times: 1_000_000)
    }

    /// Nil when `microseconds` lies outside ``supportedRange``.
    public init?(microsecondsSinceEpoch microseconds: Int64) {
        self.init(microseconds, times: 1_000)
    }

    /// The units upstreams count epoch time in.
    public enum EpochUnit: String, Sendable, CaseIterable {
        case seconds = "s"
        case milliseconds = "ms"
        case microseconds = "µs"
        case nanoseconds = "ns"

        var nanoseconds: Int64 {
            switch self {
            case .seconds: 1_000_000_000
            case .milliseconds: 1_000_000
            case .microseconds: 1_000
            case .nanoseconds: 1
            }
        }
    }

    /// `value` counted in `unit` since the epoch; nil outside ``supportedRange``.
    public init?(epoch value: Int64, unit: EpochUnit) {
        self.init(value, times: unit.nanoseconds)
    }

    private init?(_ value: Int64, times factor: Int64) {
        let (nanos, overflow) = value.multipliedReportingOverflow(by: factor)
        guard !overflow else { return nil }
        self.init(nanosecondsSinceEpoch: nanos)
    }

    /// The earliest and latest instants a timestamp can hold.
    public static let supportedRange = UTCTimestamp(nanosecondsSinceEpoch: .min)...UTCTimestamp(nanosecondsSinceEpoch: .max)

    /// ``supportedRange`` as people read it, for error messages: its first and last whole
    /// milliseconds, so both ends can be written back as times that parse.
    public static let supportedRangeText = "\(firstMillisecond.rfc3339) … \(supportedRange.upperBound.rfc3339)"

    /// The earliest whole millisecond in range (Int64.min nanoseconds is 43.145224192 s past the minute).
    static let firstMillisecond = UTCTimestamp(nanosecondsSinceEpoch: (Int64.min / 1_000_000) * 1_000_000)

    /// `self` moved by `nanoseconds`; nil when the result leaves ``supportedRange``.
    public func adding(nanoseconds: Int64) -> UTCTimestamp? {
        let (sum, overflow) = nanosecondsSinceEpoch.addingReportingOverflow(nanoseconds)
        return overflow ? nil : UTCTimestamp(nanosecondsSinceEpoch: sum)
    }

    /// The time from `earlier` to `self` (negative when `earlier` is later). Computed in 128 bits:
    /// two stored times from opposite ends of the range are 584 years apart, more than Int64
    /// nanoseconds hold, and must not trap an age or staleness check.
    public func duration(since earlier: UTCTimestamp) -> Duration {
        let nanos = Int128(nanosecondsSinceEpoch) - Int128(earlier.nanosecondsSinceEpoch)
        let (seconds, remainder) = nanos.quotientAndRemainder(dividingBy: 1_000_000_000)
        return Duration(secondsComponent: Int64(seconds), attosecondsComponent: Int64(remainder) * 1_000_000_000)
    }

    /// `seconds` plus `nanoseconds` since the epoch, summed in 128 bits so a time just inside the
    /// range's start (negative seconds, positive fraction) is not refused for its whole part.
    public init?(seconds: Int64, nanoseconds: Int64) {
        guard let total = Int64(exactly: Int128(seconds) * 1_000_000_000 + Int128(nanoseconds)) else { return nil }
        self.init(nanosecondsSinceEpoch: total)
    }

    /// `self` moved by `seconds`; nil when the result leaves ``supportedRange``.
    public func adding(seconds: Int64) -> UTCTimestamp? {
        let (nanos, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? nil : adding(nanoseconds: nanos)
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
    public func writeRFC3339(into out: inout [UInt8]) { writeRFC3339(to: &out) }

    /// The RFC 3339 text written to any byte output (the content hasher's scratch, an array).
    func writeRFC3339<Output: ByteOutput>(to out: inout Output) {
        var dates = RFC3339Dates()
        writeRFC3339(to: &out, dates: &dates)
    }

    /// The RFC 3339 text, its date taken from `dates` when it is the day written last.
    func writeRFC3339<Output: ByteOutput>(to out: inout Output, dates: inout RFC3339Dates) {
        let millis = millisecondsSinceEpoch
        let days = millis.floorDivided(by: 86_400_000)
        let msOfDay = Int(millis - days * 86_400_000)
        if days == dates.day {
            dates.appendText(to: &out)
        } else {
            let (year, month, day) = CivilCalendar.civil(fromDays: days)
            if year < 0 || year > 9999 {
                out.appendInteger(year)
                out.append(UInt8(ascii: "-")); out.appendDigits(month, width: 2)
                out.append(UInt8(ascii: "-")); out.appendDigits(day, width: 2)
            } else {
                dates.remember(day: days, year: Int(year), month: month, dayOfMonth: day)
                dates.appendText(to: &out)
            }
        }
        out.append(UInt8(ascii: "T")); out.appendDigits(msOfDay / 3_600_000, width: 2)
        out.append(UInt8(ascii: ":")); out.appendDigits(msOfDay / 60_000 % 60, width: 2)
        out.append(UInt8(ascii: ":")); out.appendDigits(msOfDay / 1000 % 60, width: 2)
        out.append(UInt8(ascii: ".")); out.appendDigits(msOfDay % 1000, width: 3)
        out.append(UInt8(ascii: "Z"))
    }
}

extension UTCTimestamp {
    /// Appends the time as an SQL `timestamptz` literal, `YYYY-MM-DD HH:MM:SS.ffffff+00`, floored
    /// to the microsecond (PostgreSQL's precision: it would round the nanoseconds, and a store
    /// keeps the nanoseconds below the microsecond in a column of their own).
    public func writeSQLTimestamp(into out: inout [UInt8]) {
        let micros = nanosecondsSinceEpoch.floorDivided(by: 1000)
        let days = micros.floorDivided(by: 86_400_000_000)
        let microsOfDay = micros - days * 86_400_000_000
        let (year, month, day) = CivilCalendar.civil(fromDays: days)
        func pad(_ value: Int64, _ width: Int) { out.appendDigits(Int(value), width: width) }
        // Every representable time (1677 … 2262) has a four-digit year.
        pad(year, 4)
        out.append(UInt8(ascii: "-")); pad(Int64(month), 2)
        out.append(UInt8(ascii: "-")); pad(Int64(day), 2)
        out.append(UInt8(ascii: " ")); pad(microsOfDay / 3_600_000_000, 2)
        out.append(UInt8(ascii: ":")); pad(microsOfDay / 60_000_000 % 60, 2)
        out.append(UInt8(ascii: ":")); pad(microsOfDay / 1_000_000 % 60, 2)
        out.append(UInt8(ascii: ".")); pad(microsOfDay % 1_000_000, 6)
        out.append(contentsOf: "+00".utf8)
    }
}

extension Int64 {
    /// Division rounding toward negative infinity, so times before 1970 split into days correctly.
    public func floorDivided(by divisor: Int64) -> Int64 {
        let q = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? q - 1 : q
    }
}

/// The `YYYY-MM-DD` of the day a writer wrote last. Consecutive records — a file's rows, a
/// response's bars — nearly always share their day, so the calendar is worked out once a day
/// rather than once a record (it was a tenth of writing a trade's canonical JSON).
struct RFC3339Dates {
    /// Days since the epoch of `text`; none at first.
    fileprivate(set) var day = Int64.min
    /// Ten bytes: the date as written (a four-digit year; other years are never kept).
    fileprivate(set) var text: (UInt64, UInt16) = (0, 0)

    fileprivate func appendText<Output: ByteOutput>(to out: inout Output) {
        withUnsafeBytes(of: text) { raw in
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[..<10]).assumingMemoryBound(to: UInt8.self))
        }
    }

    /// Writes the date into `text` in place: no array is allocated for it (writers that keep no
    /// dates between times — a bus header, an export line — come through here on every time).
    fileprivate mutating func remember(day: Int64, year: Int, month: Int, dayOfMonth: Int) {
        var date = DateBytes()
        date.appendDigits(year, width: 4)
        date.append(UInt8(ascii: "-")); date.appendDigits(month, width: 2)
        date.append(UInt8(ascii: "-")); date.appendDigits(dayOfMonth, width: 2)
        text = date.bytes
        self.day = day
    }

    /// The ten bytes of a date, written by the writers every output shares.
    private struct DateBytes: ByteOutput {
        var bytes: (UInt64, UInt16) = (0, 0)
        private var count = 0

        mutating func append(_ byte: UInt8) {
            precondition(count < 10, "a date is ten bytes")
            withUnsafeMutableBytes(of: &bytes) { $0[count] = byte }
            count += 1
        }

        mutating func append(contentsOf bytes: UnsafeBufferPointer<UInt8>) {
            for byte in bytes { append(byte) }
        }
    }
}
