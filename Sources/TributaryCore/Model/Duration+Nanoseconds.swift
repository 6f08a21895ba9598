extension Duration {
    /// The duration in whole nanoseconds, saturating at Int64's ends instead of trapping on
    /// absurd values (a Sources.d interval of 10^12 days, a hostile Retry-After).
    public var nanosecondsCount: Int64 {
        let (whole, overflow) = components.seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return components.seconds < 0 ? .min : .max }
        let (sum, overflowSum) = whole.addingReportingOverflow(components.attoseconds / 1_000_000_000)
        return overflowSum ? (whole < 0 ? .min : .max) : sum
    }
}
