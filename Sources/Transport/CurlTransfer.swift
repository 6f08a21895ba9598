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
    var continuation: CheckedContinuation<HTTPResponse, any Error>?
    var state: State = .created

    var body: [UInt8] = []
    var headers = HTTPHeaders()
    var bodyLimitExceeded = false
    var headerList: UnsafeMutablePointer<curl_slist>?
    /// libcurl's message for a failed transfer, copied out of the handle's error buffer.
    var errorDetail = ""

    init(request: HTTPRequest) {
        self.request = request
    }

    deinit {
        if let headerList { curl_slist_free_all(headerList) }
    }

    /// Resumes the waiting caller; later calls are ignored so a transfer finishes once.
    func finish(_ result: Result<HTTPResponse, any Error>) {
        state = .finished
        if let headerList {
            curl_slist_free_all(headerList)
            self.headerList = nil
        }
        guard let continuation else { return }
        self.continuation = nil
        continuation.resume(with: result)
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

    /// Reads one header line as bytes (no `Character` processing: this runs per header per request).
    func headerLine(_ pointer: UnsafeMutablePointer<CChar>, count: Int) -> Int {
        pointer.withMemoryRebound(to: UInt8.self, capacity: count) { start in
            let line = UnsafeBufferPointer(start: start, count: count)
            if count >= 5, line[0] == 0x48, line[1] == 0x54, line[2] == 0x54, line[3] == 0x50, line[4] == 0x2F {
                // "HTTP/": a new response starts (after 100 Continue, or a proxy's answer).
                headers = HTTPHeaders()
                return
            }
            guard let colon = line.firstIndex(of: 0x3A) else { return }
            var valueStart = colon + 1
            var valueEnd = count
            while valueStart < valueEnd, line[valueStart] == 0x20 || line[valueStart] == 0x09 { valueStart += 1 }
            while valueEnd > valueStart, [0x20, 0x09, 0x0D, 0x0A].contains(line[valueEnd - 1]) { valueEnd -= 1 }
            let name = String(decoding: UnsafeBufferPointer(rebasing: line[..<colon]), as: UTF8.self)
            let value = String(decoding: UnsafeBufferPointer(rebasing: line[valueStart..<valueEnd]), as: UTF8.self)
            if colon == 14, name.lowercased() == "content-length", let length = Int(value), length > 0 {
                body.reserveCapacity(min(length, request.maxBodyBytes))
            }
            headers.add(name: name, value: value)
        }
        return count
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
