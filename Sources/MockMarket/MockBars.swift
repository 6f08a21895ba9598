import TributaryCore

/// Deterministic bars for the mock market: each bar's prices come from a generator seeded with
/// (seed, instrument, open time), so the same bar reads the same on every call and every
/// provider's route, whatever order they are asked in.
struct MockBar {
    let open: ExactDecimal
    let high: ExactDecimal
    let low: ExactDecimal
    let close: ExactDecimal
    let volume: ExactDecimal
    let trades: Int64

    static let scale: UInt8 = 8

    init(seed: UInt64, canonical: String, openTimeMilliseconds: Int64) {
        var generator = SplitMix64(seed: seed ^ UInt64(bitPattern: openTimeMilliseconds) ^ canonical.hashValueStable)
        let base = PriceModel.startingPrice(for: canonical)
        let spread = max(Int128(1), base / 200)
        func around() -> Int128 { base + Int128(generator.next() % UInt64(spread * 2 + 1)) - spread }
        let open = around(), close = around()
        let high = max(open, close) + Int128(generator.next() % UInt64(spread + 1))
        let low = max(Int128(1), min(open, close) - Int128(generator.next() % UInt64(spread + 1)))
        let volume = Int128(generator.next() % 100_000_000_000) + 100_000_000
        self.open = ExactDecimal(mantissa: open, scale: Self.scale)
        self.high = ExactDecimal(mantissa: high, scale: Self.scale)
        self.low = ExactDecimal(mantissa: low, scale: Self.scale)
        self.close = ExactDecimal(mantissa: close, scale: Self.scale)
        self.volume = ExactDecimal(mantissa: volume, scale: Self.scale)
        trades = Int64(generator.next() % 5_000) + 1
    }

    /// Open times of the last `count` bars of `interval` ending at `now`, oldest first.
    static func openTimes(now: Int64, interval: Int64, count: Int) -> [Int64] {
        let last = (now / interval) * interval
        return (0..<count).reversed().map { last - Int64($0) * interval }
    }
}

extension String {
    /// FNV-1a over the UTF-8 bytes: stable across runs, unlike `hashValue`.
    var hashValueStable: UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return hash
    }
}

extension ExactDecimal {
    /// The value as a JSON number with up to `digits` fractional digits (Coinbase, CoinGecko
    /// send numbers, not strings), trailing zeros dropped.
    func jsonNumber(maxFractionDigits digits: UInt8 = 8) -> JSONValue {
        var value = self
        if value.scale > digits {
            var m = value.mantissa
            for _ in 0..<Int(value.scale - digits) { m /= 10 }
            value = ExactDecimal(mantissa: m, scale: digits)
        }
        return .number(value.normalized.description)
    }
}
