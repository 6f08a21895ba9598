import Resilience
import TributaryCore

/// Retry-After (delta seconds or an HTTP-date in any of its three historic forms) on arbitrary
/// text: a delay or nil, never a trap.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRetryAfter(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: start, count: count), as: UTF8.self)
    for now in [
        UTCTimestamp(nanosecondsSinceEpoch: 1_700_000_000_000_000_000), UTCTimestamp(nanosecondsSinceEpoch: .max), UTCTimestamp(nanosecondsSinceEpoch: .min),
    ] {
        _ = RetryAfter.delay(text, now: now)
    }
    if let date = HTTPDate.parse(text) { _ = date.rfc3339 }
    return 0
}
