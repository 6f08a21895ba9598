import TributaryCore

/// `ExactDecimal` and `UTCTimestamp` parsing and arithmetic on arbitrary bytes: every operation
/// returns a value or nil, never traps (checked arithmetic throughout).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDecimalTime(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: start, count: count))
    let text = String(decoding: bytes, as: UTF8.self)
    let halves = text.split(separator: " ", maxSplits: 1).map(String.init)
    let a = try? ExactDecimal(parsing: halves.first ?? "")
    let b = try? ExactDecimal(parsing: halves.count > 1 ? halves[1] : "")
    _ = bytes.withUnsafeBufferPointer { ExactDecimal.parse($0) }
    if let a {
        _ = a.description
        _ = a.normalized
        _ = a.halved
        _ = a.scaled(byPowerOfTen: Int(bytes.first ?? 0) - 128)
        _ = a.rounded(significantDigits: Int(bytes.last ?? 12) % 40)
        _ = ExactDecimal(approximating: a.approximateDouble)
        if let b {
            _ = a.adding(b)
            _ = a.subtracting(b)
            _ = a.multiplying(b)
            _ = a.divided(by: b, scale: UInt8(bytes.count % 39))
            _ = a < b
            _ = a == b
        }
    }
    if let time = UTCTimestamp(rfc3339: text) {
        _ = time.rfc3339
        _ = time.adding(seconds: Int64(bytes.count) << 40)
        _ = time.adding(nanoseconds: .max)
    }
    if let time = TimeText.parse(text) { _ = time.rfc3339 }
    _ = TimeText.parse(text, relativeTo: .now())
    if let number = Int64(text) {
        for unit in UTCTimestamp.EpochUnit.allCases { _ = UTCTimestamp(epoch: number, unit: unit) }
    }
    return 0
}
