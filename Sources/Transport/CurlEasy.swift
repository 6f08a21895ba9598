import CCurl
import TributaryCore

/// A zero-length body that outlives every transfer (libcurl needs a pointer even for 0 bytes).
nonisolated(unsafe) private let emptyPostBody = UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 1)

/// A libcurl easy handle kept for reuse, with the options that never change set once.
///
/// Reuse matters on the loop thread's hot path: a fresh handle (or `curl_easy_reset`) means
/// two dozen `setopt` calls and string copies per request, while a pooled one needs only the
/// request's own options. Confined to the loop thread.
final class CurlEasyHandle {
    let raw: UnsafeMutableRawPointer
    /// libcurl writes a failed transfer's message here (`CURLOPT_ERRORBUFFER`).
    let errorBuffer: UnsafeMutablePointer<CChar>
    /// Whether the last request changed the method to one that needs undoing.
    private var usedCustomMethod = false

    init?(pool: PoolConfiguration) {
        guard let raw = curl_easy_init() else { return nil }
        self.raw = raw
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        let keepAlive = max(1, Int(pool.tcpKeepAlive.components.seconds))
        ccurl_easy_setopt_str(raw, CURLOPT_PROTOCOLS_STR, "http,https")
        ccurl_easy_setopt_long(raw, CURLOPT_NOSIGNAL, 1)
        ccurl_easy_setopt_data_callback(raw, CURLOPT_WRITEFUNCTION, curlWriteCallback)
        ccurl_easy_setopt_data_callback(raw, CURLOPT_HEADERFUNCTION, curlHeaderCallback)
        ccurl_easy_setopt_ptr(raw, CURLOPT_ERRORBUFFER, errorBuffer)
        ccurl_easy_setopt_long(raw, CURLOPT_TCP_KEEPALIVE, 1)
        ccurl_easy_setopt_long(raw, CURLOPT_TCP_KEEPIDLE, keepAlive)
        ccurl_easy_setopt_long(raw, CURLOPT_TCP_KEEPINTVL, keepAlive)
        ccurl_easy_setopt_long(raw, CURLOPT_DNS_CACHE_TIMEOUT, Int(pool.dnsCacheTimeout.components.seconds))
        ccurl_easy_setopt_str(raw, CURLOPT_ACCEPT_ENCODING, "")
        ccurl_easy_setopt_long(raw, CURLOPT_SSL_VERIFYPEER, 1)
        ccurl_easy_setopt_long(raw, CURLOPT_SSL_VERIFYHOST, 2)
        ccurl_easy_setopt_long(raw, CURLOPT_HTTP_VERSION, Int(pool.http2Multiplexing ? CURL_HTTP_VERSION_2TLS : CURL_HTTP_VERSION_1_1))
        ccurl_easy_setopt_str(raw, CURLOPT_USERAGENT, pool.userAgent)
    }

    deinit {
        curl_easy_cleanup(raw)
        errorBuffer.deallocate()
    }

    /// Sets the options of one request. Returns a message when the request cannot be sent.
    func configure(for transfer: CurlTransfer, pool: PoolConfiguration) -> String? {
        let request = transfer.request
        let opaque = Unmanaged.passUnretained(transfer).toOpaque()
        let isHTTPS = request.url.utf8.starts(with: "https://".utf8)
        guard isHTTPS || request.url.utf8.starts(with: "http://".utf8) else {
            return "only http:// and https:// URLs are supported, got '\(SourceURIRedactor.redact(request.url).prefix(80))'"
        }
        errorBuffer[0] = 0
        var failed: CURLcode = CURLE_OK
        func check(_ code: CURLcode) { if code != CURLE_OK, failed == CURLE_OK { failed = code } }

        check(ccurl_easy_setopt_str(raw, CURLOPT_URL, request.url))
        check(ccurl_easy_setopt_ptr(raw, CURLOPT_PRIVATE, opaque))
        check(ccurl_easy_setopt_ptr(raw, CURLOPT_WRITEDATA, opaque))
        check(ccurl_easy_setopt_ptr(raw, CURLOPT_HEADERDATA, opaque))
        check(ccurl_easy_setopt_long(raw, CURLOPT_CONNECTTIMEOUT_MS, CurlEasyHandle.milliseconds(request.connectTimeout)))
        check(ccurl_easy_setopt_long(raw, CURLOPT_TIMEOUT_MS, CurlEasyHandle.milliseconds(request.totalTimeout)))
        check(ccurl_easy_setopt_off_t(raw, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(request.maxBodyBytes)))
        check(ccurl_easy_setopt_long(raw, CURLOPT_PIPEWAIT, pool.http2Multiplexing && isHTTPS ? 1 : 0))

        if usedCustomMethod {
            check(ccurl_easy_setopt_ptr(raw, CURLOPT_CUSTOMREQUEST, nil))
            usedCustomMethod = false
        }
        switch request.method {
        case .get:
            // Also undoes a previous POST or HEAD on this handle.
            check(ccurl_easy_setopt_long(raw, CURLOPT_HTTPGET, 1))
        case .head:
            check(ccurl_easy_setopt_long(raw, CURLOPT_NOBODY, 1))
        case .post, .put, .delete:
            check(ccurl_easy_setopt_long(raw, CURLOPT_NOBODY, 0))
            check(ccurl_easy_setopt_long(raw, CURLOPT_POST, 1))
            if request.method != .post {
                check(ccurl_easy_setopt_str(raw, CURLOPT_CUSTOMREQUEST, request.method.rawValue))
                usedCustomMethod = true
            }
            let body = request.body ?? []
            check(ccurl_easy_setopt_off_t(raw, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count)))
            // COPYPOSTFIELDS copies, so the Swift array need not outlive this call.
            if body.isEmpty {
                check(ccurl_easy_setopt_ptr(raw, CURLOPT_COPYPOSTFIELDS, emptyPostBody))
            } else {
                body.withUnsafeBytes { bytes in
                    check(ccurl_easy_setopt_ptr(raw, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: bytes.baseAddress!)))
                }
            }
        }

        var list: UnsafeMutablePointer<curl_slist>?
        for field in request.headers {
            guard Self.isSafeHeader(field.name, isName: true), Self.isSafeHeader(field.value, isName: false) else {
                curl_slist_free_all(list)
                return "header field '\(field.name.prefix(40))' contains a line break or colon"
            }
            list = curl_slist_append(list, "\(field.name): \(field.value)")
        }
        // libcurl adds `Expect: 100-continue` to larger POSTs; upstream APIs do not need the extra round trip.
        if request.method != .get, request.method != .head { list = curl_slist_append(list, "Expect:") }
        transfer.headerList = list
        check(ccurl_easy_setopt_slist(raw, CURLOPT_HTTPHEADER, list))

        if failed != CURLE_OK {
            return "libcurl rejected an option: \(String(cString: curl_easy_strerror(failed)))"
        }
        return nil
    }

    /// No CR or LF anywhere, and no colon in a name: a header cannot smuggle another one in.
    static func isSafeHeader(_ text: String, isName: Bool) -> Bool {
        !text.utf8.contains { $0 == 0x0D || $0 == 0x0A || (isName && $0 == 0x3A) }
    }

    /// Reads the status and phase timings once a transfer is done.
    ///
    /// On a reused connection libcurl still reports small DNS, connect and TLS times (the time
    /// until it skipped each step); ``HTTPTimings`` promises zero there, so pooling shows from
    /// the outside, and they are only asked of libcurl when the transfer opened a connection.
    func response(for transfer: CurlTransfer) -> CompletedTransfer {
        var status = 0
        ccurl_easy_getinfo_long(raw, CURLINFO_RESPONSE_CODE, &status)
        var connects = 0
        ccurl_easy_getinfo_long(raw, CURLINFO_NUM_CONNECTS, &connects)
        func micros(_ info: CURLINFO) -> Duration {
            var value: curl_off_t = 0
            ccurl_easy_getinfo_off_t(raw, info, &value)
            return .microseconds(value)
        }
        let opened = connects > 0
        let timings = HTTPTimings(
            dns: opened ? micros(CURLINFO_NAMELOOKUP_TIME_T) : .zero, connect: opened ? micros(CURLINFO_CONNECT_TIME_T) : .zero,
            tls: opened ? micros(CURLINFO_APPCONNECT_TIME_T) : .zero, firstByte: micros(CURLINFO_STARTTRANSFER_TIME_T),
            total: micros(CURLINFO_TOTAL_TIME_T), connectionsOpened: connects
        )
        return CompletedTransfer(status: status, rawHeaders: transfer.rawHeaders, body: transfer.body, timings: timings)
    }

    /// libcurl's message for the last failure, or "".
    var errorMessage: String { String(cString: errorBuffer) }

    static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return max(1, Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000))
    }
}
