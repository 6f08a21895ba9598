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

/// Products, quotients and rounding for computed values (VWAP, means), still exact where the
/// result is representable and rounded half-to-even where it is not.
extension ExactDecimal {
    /// The exact product; nil when the mantissa overflows or the scale would pass ``maxScale``.
    public func multiplying(_ other: ExactDecimal) -> ExactDecimal? {
        let newScale = Int(scale) + Int(other.scale)
        let (product, overflow) = mantissa.multipliedReportingOverflow(by: other.mantissa)
        guard !overflow else { return nil }
        if newScale <= Int(Self.maxScale) { return ExactDecimal(mantissa: product, scale: UInt8(newScale)).normalized }
        // More fractional digits than a decimal keeps: rounded at the last one it can.
        return Self.roundedQuotient(product, Self.power(of: newScale - Int(Self.maxScale)), scale: Self.maxScale)
    }

    /// self ÷ divisor with `scale` fractional digits, rounded half to even (so the result does
    /// not depend on the machine); nil for a zero divisor or when the result does not fit.
    public func divided(by divisor: ExactDecimal, scale target: UInt8) -> ExactDecimal? {
        guard !divisor.isZero, target <= Self.maxScale else { return nil }
        // self / divisor = (m1 / 10^s1) / (m2 / 10^s2) = m1 · 10^(s2 + target − s1) / m2 / 10^target
        let exponent = Int(divisor.scale) + Int(target) - Int(scale)
        var numerator = mantissa, denominator = divisor.mantissa
        if exponent >= 0 {
            guard let factor = Self.power(of: exponent) else { return nil }
            let (shifted, overflow) = numerator.multipliedReportingOverflow(by: factor)
            guard !overflow else { return nil }
            numerator = shifted
        } else {
            guard let factor = Self.power(of: -exponent) else { return nil }
            let (shifted, overflow) = denominator.multipliedReportingOverflow(by: factor)
            guard !overflow else { return nil }
            denominator = shifted
        }
        return Self.roundedQuotient(numerator, denominator, scale: target)
    }

    /// The value rounded half to even to at most `digits` significant digits (never more
    /// fractional digits than it had).
    public func rounded(significantDigits digits: Int) -> ExactDecimal {
        var magnitude = mantissa.magnitude
        var length = 0
        while magnitude > 0 {
            magnitude /= 10
            length += 1
        }
        let excess = length - digits
        guard excess > 0, excess <= Int(scale) else { return normalized }
        guard let divisor = Self.power(of: excess), let result = Self.roundedQuotient(mantissa, divisor, scale: scale - UInt8(excess)) else {
            return normalized
        }
        return result.normalized
    }

    /// numerator ÷ denominator as a mantissa at `scale`, rounded half to even.
    static func roundedQuotient(_ numerator: Int128, _ denominator: Int128?, scale: UInt8) -> ExactDecimal? {
        guard let denominator, denominator != 0 else { return nil }
        if numerator == .min || denominator == .min { return nil }
        var (quotient, remainder) = numerator.quotientAndRemainder(dividingBy: denominator)
        let twice = remainder.magnitude.multipliedReportingOverflow(by: 2)
        let comparison: Int = twice.overflow ? 1 : (twice.partialValue > denominator.magnitude ? 1 : (twice.partialValue == denominator.magnitude ? 0 : -1))
        if comparison > 0 || (comparison == 0 && quotient % 2 != 0) {
            quotient += (numerator < 0) == (denominator < 0) ? 1 : -1
        }
        return ExactDecimal(mantissa: quotient, scale: scale).normalized
    }

    /// 10^n while it fits in 128 bits.
    static func power(of n: Int) -> Int128? {
        guard n >= 0, n <= 38 else { return nil }
        var result: Int128 = 1
        for _ in 0..<n { result *= 10 }
        return result
    }

    /// The shortest decimal that reads back as `value` (Swift's own `description`, the same on
    /// every machine), rounded half to even to `significantDigits`; nil for NaN and infinities.
    public init?(approximating value: Double, significantDigits: Int = 12) {
        guard value.isFinite else { return nil }
        guard let exact = try? ExactDecimal(parsing: value.description) else {
            // Only magnitudes below 10^-38 have more fractional digits than a decimal keeps.
            guard abs(value) < 1e-30 else { return nil }
            self = ExactDecimal(0)
            return
        }
        self = exact.rounded(significantDigits: significantDigits)
    }
}
