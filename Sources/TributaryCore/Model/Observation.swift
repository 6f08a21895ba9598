/// One value of an economic series on a date (FRED and the like).
public struct Observation: Sendable, Hashable {
    public var series: String
    /// The observation date as `YYYY-MM-DD`; economic series are dated, not timed.
    public var date: String
    /// Nil where the upstream says the value is missing (FRED writes ".").
    public var value: ExactDecimal?

    public init(series: String, date: String, value: ExactDecimal?) {
        self.series = series
        self.date = date
        self.value = value
    }
}
