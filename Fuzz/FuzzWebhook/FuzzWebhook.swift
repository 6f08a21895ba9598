import Dispatch
import Engine

/// `WebhookVerifier`'s header parsing, both schemes: the input's lines are the headers'
/// values (id, timestamp, signature; X-Signature) and the rest the body. Rejected with a reason
/// or verified, never a trap (timestamps near Int64's ends included).
let standard = try! WebhookVerifier(scheme: .standardWebhooks, secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
let hex = try! WebhookVerifier(scheme: .hmacSHA256, secret: "fuzz-secret")

/// Runs the async check to its end from libFuzzer's synchronous callback.
func wait(_ body: @escaping @Sendable () async -> Void) {
    let done = DispatchSemaphore(value: 0)
    Task {
        await body()
        done.signal()
    }
    done.wait()
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWebhook(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: start, count: count), as: UTF8.self)
    let lines = text.split(separator: "\n", maxSplits: 4, omittingEmptySubsequences: false).map(String.init)
    let value = { (index: Int) -> String? in lines.count > index ? lines[index] : nil }
    let headers: [String: String] = [
        "webhook-id": value(0) ?? "", "webhook-timestamp": value(1) ?? "", "webhook-signature": value(2) ?? "", "x-signature": value(3) ?? "",
    ]
    let body = Array((value(4) ?? "").utf8)
    let now = Int64(count) &* 1_000_003
    wait {
        try? await standard.verify(body: body, header: { headers[$0] }, now: now)
        try? await hex.verify(body: body, header: { headers[$0] }, now: now)
    }
    return 0
}
