/// An exact decimal number: an integer mantissa and a count of fractional digits.
///
/// Market data arrives as decimal text ("4.00000200"); a `Double` would turn that into
/// 4.0000020000000002 and make sums, hashes and comparisons drift. `ExactDecimal` keeps
/// the upstream's digits as they were written (the scale is preserved, so the value prints
/// back exactly), compares numerically (`1.50 == 1.5`), and covers 38 significant digits.
public struct ExactDecimal: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The value times 10^scale.
    @inline(__always)
    public var mantissa: Int128 { Int128(bitPattern: UInt128(high) << 64 | UInt128(low)) }
    /// How many digits stand after the decimal point.
    public let scale: UInt8
    /// The mantissa's two 64-bit halves. Held as words rather than an `Int128`, whose 16-byte
    /// alignment would pad every decimal to 32 bytes: at 24, a record (a trade holds two, a quote
    /// up to twelve) is smaller to build, copy and keep — records are moved several times each.
    private let low: UInt64
    private let high: UInt64

    /// The largest scale kept; more fractional digits than this is an error, not a rounding.
    public static let maxScale: UInt8 = 38

    public init(mantissa: Int128, scale: UInt8) {
        precondition(scale <= Self.maxScale, "ExactDecimal scale \(scale) is over \(Self.maxScale)")
        let bits = UInt128(bitPattern: mantissa)
        self.low = UInt64(truncatingIfNeeded: bits)
        self.high = UInt64(truncatingIfNeeded: bits >> 64)
        self.scale = scale
    }

    public init(_ integer: Int) {
        self.init(mantissa: Int128(integer), scale: 0)
    }

    /// Parses decimal text such as `-12.5`, `0.00001`, `5.856e-05` or `1E+3`.
    ///
    /// Throws ``DecimalParseError`` naming the offending text for anything else
    /// (empty, `NaN`, `Infinity`, stray characters, more than 38 digits).
    public init(parsing text: some StringProtocol) throws(DecimalParseError) {
        let parsed =
            text.utf8.withContiguousStorageIfAvailable { Self.parse($0) }
            ?? Array(text.utf8).withUnsafeBufferPointer { Self.parse($0) }
        guard let value = parsed else {
            throw DecimalParseError(text: String(text))
        }
        self = value
    }

    /// Parses the UTF-8 bytes of a JSON number or decimal string; nil when they are not one.
    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> ExactDecimal? {
        var index = 0
        let count = bytes.count
        var negative = false
        if index < count, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
            negative = bytes[index] == UInt8(ascii: "-")
            index += 1
        }
        var mantissa: Int128 = 0
        // The first 18 digits accumulate in 64 bits (128-bit multiplication is far slower).
        var small: UInt64 = 0
        var smallDigits = 0
        var digits = 0
        var fraction = 0
        var sawPoint = false
        while index < count {
            let byte = bytes[index]
            if byte >= 48 && byte <= 57 {
                if smallDigits < 18 {
                    small = small &* 10 &+ UInt64(byte - 48)
                    smallDigits += 1
                } else {
                    if smallDigits == 18 {
                        mantissa = Int128(small)
                        smallDigits += 1
                    }
                    let (shifted, overflow1) = mantissa.multipliedReportingOverflow(by: 10)
                    let (added, overflow2) = shifted.addingReportingOverflow(Int128(byte - 48))
                    if overflow1 || overflow2 { return nil }
                    mantissa = added
                }
                digits += 1
                if sawPoint { fraction += 1 }
            } else if byte == UInt8(ascii: "."), !sawPoint {
                sawPoint = true
            } else {
                break
            }
            index += 1
        }
        guard digits > 0 else { return nil }
        if smallDigits <= 18 { mantissa = Int128(small) }
        var exponent = 0
        if index < count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            var expNegative = false
            if index < count, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
                expNegative = bytes[index] == UInt8(ascii: "-")
                index += 1
            }
            var expDigits = 0
            while index < count, bytes[index] >= 48, bytes[index] <= 57 {
                exponent = exponent * 10 + Int(bytes[index] - 48)
                expDigits += 1
                index += 1
                if exponent > 400 { return nil }
            }
            guard expDigits > 0 else { return nil }
            if expNegative { exponent = -exponent }
        }
        guard index == count else { return nil }
        var scale = fraction - exponent
        while scale < 0 {
            let (shifted, overflow) = mantissa.multipliedReportingOverflow(by: 10)
            if overflow { return nil }
            mantissa = shifted
            scale += 1
        }
        guard scale <= Int(maxScale) else { return nil }
        return ExactDecimal(mantissa: negative ? -mantissa : mantissa, scale: UInt8(scale))
    }

    /// The same value with trailing fractional zeros removed: the form hashes use.
    public var normalized: ExactDecimal {
        if scale == 0 { return self }
        if let narrow = Int64(exactly: mantissa) {
            var m = narrow
            var s = scale
            while s > 0, m % 10 == 0 {
                m /= 10
                s -= 1
            }
            return ExactDecimal(mantissa: Int128(m), scale: s)
        }
        var m = mantissa
        var s = scale
        while s > 0, m % 10 == 0 {
            m /= 10
            s -= 1
        }
        return ExactDecimal(mantissa: m, scale: s)
    }

    public var isZero: Bool { mantissa == 0 }
    public var isNegative: Bool { mantissa < 0 }

    /// Plain decimal text with the preserved scale, never exponent notation.
    public var description: String {
        var bytes: [UInt8] = []
        write(into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends the plain decimal text to `bytes` (what `description` returns, without a `String`).
    public func write(into bytes: inout [UInt8]) { write(to: &bytes) }

    /// Appends the plain decimal text; `droppingTrailingZeros` writes ``normalized``'s text
    /// (`1.50` as `1.5`, `2.00` as `2`) in the same pass, without computing it first.
    func write<Output: ByteOutput>(to out: inout Output, droppingTrailingZeros: Bool = false) {
        // Digits are produced backwards into a fixed buffer, in 64-bit arithmetic while they fit.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 82) { buffer in
            var position = buffer.count
            // Digits taken from the mantissa (written or dropped), and fractional digits written.
            var taken = 0
            var fractionWritten = 0
            var dropping = droppingTrailingZeros
            let scale = Int(self.scale)
            func emit(_ digit: UInt8) {
                if dropping {
                    if taken < scale, digit == 0 {
                        taken += 1
                        return
                    }
                    dropping = false
                }
                if taken == scale, fractionWritten > 0 {
                    position -= 1
                    buffer[position] = UInt8(ascii: ".")
                }
                position -= 1
                buffer[position] = digit + 48
                if taken < scale { fractionWritten += 1 }
                taken += 1
            }
            var wide = mantissa.magnitude
            while wide > UInt128(UInt64.max) {
                let (quotient, remainder) = wide.quotientAndRemainder(dividingBy: 10)
                emit(UInt8(truncatingIfNeeded: remainder))
                wide = quotient
            }
            var narrow = UInt64(wide)
            repeat {
                let (quotient, remainder) = narrow.quotientAndRemainder(dividingBy: 10)
                emit(UInt8(truncatingIfNeeded: remainder))
                narrow = quotient
            } while narrow > 0 || taken <= scale
            if mantissa < 0 {
                position -= 1
                buffer[position] = UInt8(ascii: "-")
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[position...]))
        }
    }

    public static func == (lhs: ExactDecimal, rhs: ExactDecimal) -> Bool {
        let a = lhs.normalized, b = rhs.normalized
        return a.mantissa == b.mantissa && a.scale == b.scale
    }

    public func hash(into hasher: inout Hasher) {
        let n = normalized
        hasher.combine(n.mantissa)
        hasher.combine(n.scale)
    }

    public static func < (lhs: ExactDecimal, rhs: ExactDecimal) -> Bool {
        let a = lhs.normalized, b = rhs.normalized
        if a.scale == b.scale { return a.mantissa < b.mantissa }
        // Bring both to the larger scale; on overflow the side that overflowed is the larger magnitude.
        let target = max(a.scale, b.scale)
        guard let am = a.mantissa(atScale: target), let bm = b.mantissa(atScale: target) else {
            if a.mantissa.signum() != b.mantissa.signum() { return a.mantissa.signum() < b.mantissa.signum() }
            let aFits = a.mantissa(atScale: target) != nil
            return a.mantissa > 0 ? aFits : !aFits
        }
        return am < bm
    }

    /// The mantissa rescaled to `target` (≥ scale), or nil when that overflows.
    public func mantissa(atScale target: UInt8) -> Int128? {
        precondition(target >= scale)
        var m = mantissa
        for _ in 0..<Int(target - scale) {
            let (shifted, overflow) = m.multipliedReportingOverflow(by: 10)
            if overflow { return nil }
            m = shifted
        }
        return m
    }
}

/// Text that is not an exact decimal number.
public struct DecimalParseError: Error, Hashable, CustomStringConvertible {
    public let text: String
    public var description: String {
        "'\(text.prefix(64))' is not a decimal number (expected digits with an optional sign, point and exponent, at most 38 digits)"
    }
}
