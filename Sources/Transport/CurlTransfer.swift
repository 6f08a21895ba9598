import CCurl
import TributaryCore

/// The state of one request while libcurl works on it.
///
/// Created on the caller's task, then touched only by the loop thread: the continuation is
/// set before the transfer is handed over (the hand-off lock orders it), and it is resumed
/// exactly once, by completion, cancellation or shutdown, all of which run on the loop thread.
final class CurlTransfer: @unchecked Sendable {
    enum State {
        /// Built, not yet seen by the loop.
        case created
        /// Cancelled before the loop started it.
        case cancelledEarly
        /// Added to the multi handle.
        case running(CurlEasyHandle)
        case finished
    }

    let request: HTTPRequest
    /// Whether the caller awaits on ``CompletionExecutor``'s thread, so the loop may resume it
    /// directly instead of through ``CompletionPump``.
    let resumesDirectly: Bool
    var continuation: UnsafeContinuation<CompletedTransfer, any Error>?
    var state: State = .created

    var body: [UInt8] = []
    var rawHeaders: [UInt8] = []
    var bodyLimitExceeded = false
    var headerList: UnsafeMutablePointer<curl_slist>?
    /// libcurl's message for a failed transfer, copied out of the handle's error buffer.
    var errorDetail = ""

    /// Reserves room for the body and header block here, on the caller's thread (see
    /// ``ResponseSizeHint``).
    init(request: HTTPRequest, sizes: ResponseSizeHint? = nil, resumesDirectly: Bool = false) {
        self.request = request
        self.resumesDirectly = resumesDirectly
        if let sizes {
            body.reserveCapacity(sizes.bodyCapacity(limit: request.maxBodyBytes))
            rawHeaders.reserveCapacity(sizes.headerCapacity)
        }
    }

    deinit {
        if let headerList { curl_slist_free_all(headerList) }
    }

    /// Marks the transfer finished and returns what resumes its caller (nil if already done),
    /// so that a transfer finishes exactly once.
    func finish(_ result: Result<CompletedTransfer, any Error>) -> CompletionPump.Completion? {
        state = .finished
        if let headerList {
            curl_slist_free_all(headerList)
            self.headerList = nil
        }
        guard let continuation else { return nil }
        self.continuation = nil
        return CompletionPump.Completion(continuation: continuation, result: result)
    }

    // MARK: Callbacks from libcurl (on the loop thread)

    func append(_ pointer: UnsafeMutablePointer<CChar>, count: Int) -> Int {
        if body.count + count > request.maxBodyBytes {
            bodyLimitExceeded = true
            return 0
        }
        pointer.withMemoryRebound(to: UInt8.self, capacity: count) {
            body.append(contentsOf: UnsafeBufferPointer(start: $0, count: count))
        }
        return count
    }

    /// Keeps one header line's bytes; parsing into fields happens later, on the caller's thread.
    func headerLine(_ pointer: UnsafeMutablePointer<CChar>, count: Int) -> Int {
        pointer.withMemoryRebound(to: UInt8.self, capacity: count) { start in
            let line = UnsafeBufferPointer(start: start, count: count)
            if count >= 5, line[0] == 0x48, line[1] == 0x54, line[2] == 0x54, line[3] == 0x50, line[4] == 0x2F {
                // "HTTP/": a new response starts (after 100 Continue, or a proxy's answer).
                rawHeaders.removeAll(keepingCapacity: true)
                return
            }
            if rawHeaders.capacity == 0 { rawHeaders.reserveCapacity(1024) }
            if let length = Self.contentLength(line), length > 0 {
                body.reserveCapacity(min(length, request.maxBodyBytes))
            }
            rawHeaders.append(contentsOf: line)
        }
        return count
    }

    /// The value of a `Content-Length:` line, found without building strings.
    static func contentLength(_ line: UnsafeBufferPointer<UInt8>) -> Int? {
        let name: StaticString = "content-length:"
        guard line.count > 15, line[0] | 0x20 == 0x63 else { return nil }
        for i in 0..<15 where line[i] | 0x20 != name.utf8Start[i] | 0x20 { return nil }
        var value = 0
        var sawDigit = false
        for byte in line[15...] {
            if byte >= 0x30, byte <= 0x39 {
                value = value &* 10 &+ Int(byte - 0x30)
                sawDigit = true
            } else if sawDigit || (byte != 0x20 && byte != 0x09) {
                break
            }
        }
        return sawDigit ? value : nil
    }
}

/// What the loop thread hands back: raw parts, turned into an ``HTTPResponse`` by the caller.
struct CompletedTransfer: @unchecked Sendable {
    var status: Int
    var rawHeaders: [UInt8]
    var body: [UInt8]
    var timings: HTTPTimings

    var response: HTTPResponse {
        HTTPResponse(status: status, headers: HTTPHeaders(parsingHeaderBlock: rawHeaders), body: body, timings: timings)
    }
}

/// `CURLOPT_WRITEFUNCTION`: appends body bytes, or returns 0 to abort once the cap is passed.
let curlWriteCallback: ccurl_data_callback = { pointer, size, count, userdata in
    guard let pointer, let userdata else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(userdata).takeUnretainedValue()
    return transfer.append(pointer, count: size * count)
}

/// `CURLOPT_HEADERFUNCTION`: collects response header fields.
let curlHeaderCallback: ccurl_data_callback = { pointer, size, count, userdata in
    guard let pointer, let userdata else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(userdata).takeUnretainedValue()
    return transfer.headerLine(pointer, count: size * count)
}
