/// Reads durations as written in Sources.d: `250ms`, `5s`, `1m`, `2h`, `1d`.
public enum DurationText {
    public static func parse(_ text: String) -> Duration? {
        let units: [(suffix: String, nanoseconds: Int64)] = [
            ("ms", 1_000_000), ("s", 1_000_000_000), ("m", 60_000_000_000), ("h", 3_600_000_000_000), ("d", 86_400_000_000_000),
        ]
        for unit in units where text.hasSuffix(unit.suffix) {
            let number = text.dropLast(unit.suffix.count)
            guard let value = Int64(number), value >= 0 else { return nil }
            let (nanoseconds, overflow) = value.multipliedReportingOverflow(by: unit.nanoseconds)
            return overflow ? nil : .nanoseconds(nanoseconds)
        }
        return nil
    }
}

extension DurationText {
    /// The shortest exact text for `duration` in the units `parse` reads (`0s`, `250ms`, `10s`, `1h`).
    public static func format(_ duration: Duration) -> String {
        let nanoseconds = duration.nanosecondsCount
        let units: [(suffix: String, nanoseconds: Int64)] = [
            ("d", 86_400_000_000_000), ("h", 3_600_000_000_000), ("m", 60_000_000_000), ("s", 1_000_000_000), ("ms", 1_000_000),
        ]
        guard nanoseconds != 0 else { return "0s" }
        for unit in units where nanoseconds % unit.nanoseconds == 0 { return "\(nanoseconds / unit.nanoseconds)\(unit.suffix)" }
        return "\(nanoseconds / 1_000_000)ms"
    }
}
