import TributaryCore

extension UTCTimestamp {
    /// The mock's own times (its clock, its seeded bars) are always in range, so they are made
    /// without the optional that untrusted epoch numbers go through.
    init(mockMilliseconds milliseconds: Int64) {
        self.init(nanosecondsSinceEpoch: milliseconds * 1_000_000)
    }
}
