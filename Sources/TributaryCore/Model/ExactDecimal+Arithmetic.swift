/// The few exact operations consolidation needs (median, spread), without ever passing
/// through `Double`. Each returns nil instead of trapping when the result does not fit.
extension ExactDecimal {
    public func adding(_ other: ExactDecimal) -> ExactDecimal? {
        let target = max(scale, other.scale)
        guard let a = mantissa(atScale: target), let b = other.mantissa(atScale: target) else { return nil }
        let (sum, overflow) = a.addingReportingOverflow(b)
        return overflow ? nil : ExactDecimal(mantissa: sum, scale: target).normalized
    }

    public func subtracting(_ other: ExactDecimal) -> ExactDecimal? {
        adding(ExactDecimal(mantissa: -other.mantissa, scale: other.scale))
    }

    /// Exactly half (x / 2 = 5x / 10).
    public var halved: ExactDecimal? {
        guard scale < Self.maxScale else { return nil }
        let (product, overflow) = mantissa.multipliedReportingOverflow(by: 5)
        return overflow ? nil : ExactDecimal(mantissa: product, scale: scale + 1).normalized
    }

    /// The middle value (the exact mean of the two middle ones for an even count).
    public static func median(_ values: [ExactDecimal]) -> ExactDecimal? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        if sorted.count % 2 == 1 { return sorted[middle] }
        return sorted[middle - 1].adding(sorted[middle])?.halved
    }

    /// An approximation for ratios and statistics (never for storing a price).
    public var approximateDouble: Double {
        Double(mantissa) / pow10(Int(scale))
    }

    private func pow10(_ n: Int) -> Double {
        var result = 1.0
        for _ in 0..<n { result *= 10 }
        return result
    }
}
