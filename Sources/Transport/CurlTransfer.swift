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
        case running(UnsafeMutableRawPointer)
        case finished
    }

    let request: HTTPRequest
    var continuation: CheckedContinuation<HTTPResponse, any Error>?
    var state: State = .created

    var body: [UInt8] = []
    var headers = HTTPHeaders()
    var bodyLimitExceeded = false
    var headerList: UnsafeMutablePointer<curl_slist>?
    let errorBuffer: UnsafeMutablePointer<CChar>

    init(request: HTTPRequest) {
        self.request = request
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    }

    deinit {
        if let headerList { curl_slist_free_all(headerList) }
        errorBuffer.deallocate()
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

    var errorDetail: String {
        String(cString: errorBuffer)
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

    func headerLine(_ pointer: UnsafeMutablePointer<CChar>, count: Int) -> Int {
        let line = pointer.withMemoryRebound(to: UInt8.self, capacity: count) {
            String(decoding: UnsafeBufferPointer(start: $0, count: count), as: UTF8.self)
        }
        if line.hasPrefix("HTTP/") {
            // A new response starts (after 100 Continue, or a proxy's answer): forget earlier fields.
            headers = HTTPHeaders()
            return count
        }
        guard let colon = line.firstIndex(of: ":") else { return count }
        let name = String(line[..<colon])
        let value = line[line.index(after: colon)...].trimmingSpaces()
        headers.add(name: name, value: value)
        return count
    }
}

extension Substring {
    /// Drops surrounding blanks and the line's CR LF (a single `Character` in Swift).
    func trimmingSpaces() -> String {
        var slice = self[...]
        while let first = slice.first, first == " " || first == "\t" { slice = slice.dropFirst() }
        while let last = slice.last, last.isWhitespace { slice = slice.dropLast() }
        return String(slice)
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
