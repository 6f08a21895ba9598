extension Duration {
    /// The duration in seconds as a `Double`, for rates, timeouts of Foundation APIs and
    /// printed figures (never for an exact time: that is ``nanosecondsCount``).
    public var fractionalSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
