/// Reads durations as written in Sources.d: `250ms`, `5s`, `1m`, `2h`, `1d`.
public enum DurationText {
    public static func parse(_ text: String) -> Duration? {
        let units: [(suffix: String, nanoseconds: Int64)] = [
            ("ms", 1_000_000), ("s", 1_000_000_000), ("m", 60_000_000_000), ("h", 3_600_000_000_000), ("d", 86_400_000_000_000),
        ]
        for unit in units where text.hasSuffix(unit.suffix) {
            let number = text.dropLast(unit.suffix.count)
            guard let value = Int64(number), value >= 0 else { return nil }
            return .nanoseconds(value * unit.nanoseconds)
        }
        return nil
    }
}
