import CCurl
import TributaryCore

/// A zero-length body that outlives every transfer (libcurl needs a pointer even for 0 bytes).
nonisolated(unsafe) private let emptyPostBody = UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 1)

/// Configures a (fresh or reused) easy handle for one transfer.
enum CurlEasy {
    /// Sets every option a transfer needs. Returns a message when the request cannot be sent.
    static func configure(
        _ easy: UnsafeMutableRawPointer, for transfer: CurlTransfer, pool: PoolConfiguration
    ) -> String? {
        let request = transfer.request
        let opaque = Unmanaged.passUnretained(transfer).toOpaque()
        guard request.url.hasPrefix("http://") || request.url.hasPrefix("https://") else {
            return "only http:// and https:// URLs are supported, got '\(SourceURIRedactor.redact(request.url).prefix(80))'"
        }
        var failed: CURLcode = CURLE_OK
        func check(_ code: CURLcode) { if code != CURLE_OK, failed == CURLE_OK { failed = code } }

        check(ccurl_easy_setopt_str(easy, CURLOPT_URL, request.url))
        check(ccurl_easy_setopt_str(easy, CURLOPT_PROTOCOLS_STR, "http,https"))
        check(ccurl_easy_setopt_long(easy, CURLOPT_NOSIGNAL, 1))
        check(ccurl_easy_setopt_ptr(easy, CURLOPT_PRIVATE, opaque))
        check(ccurl_easy_setopt_data_callback(easy, CURLOPT_WRITEFUNCTION, curlWriteCallback))
        check(ccurl_easy_setopt_ptr(easy, CURLOPT_WRITEDATA, opaque))
        check(ccurl_easy_setopt_data_callback(easy, CURLOPT_HEADERFUNCTION, curlHeaderCallback))
        check(ccurl_easy_setopt_ptr(easy, CURLOPT_HEADERDATA, opaque))
        check(ccurl_easy_setopt_ptr(easy, CURLOPT_ERRORBUFFER, transfer.errorBuffer))
        check(ccurl_easy_setopt_long(easy, CURLOPT_CONNECTTIMEOUT_MS, milliseconds(request.connectTimeout)))
        check(ccurl_easy_setopt_long(easy, CURLOPT_TIMEOUT_MS, milliseconds(request.totalTimeout)))
        check(ccurl_easy_setopt_off_t(easy, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(request.maxBodyBytes)))
        let keepAlive = max(1, Int(pool.tcpKeepAlive.components.seconds))
        check(ccurl_easy_setopt_long(easy, CURLOPT_TCP_KEEPALIVE, 1))
        check(ccurl_easy_setopt_long(easy, CURLOPT_TCP_KEEPIDLE, keepAlive))
        check(ccurl_easy_setopt_long(easy, CURLOPT_TCP_KEEPINTVL, keepAlive))
        check(ccurl_easy_setopt_long(easy, CURLOPT_DNS_CACHE_TIMEOUT, Int(pool.dnsCacheTimeout.components.seconds)))
        check(ccurl_easy_setopt_str(easy, CURLOPT_ACCEPT_ENCODING, ""))
        check(ccurl_easy_setopt_long(easy, CURLOPT_SSL_VERIFYPEER, 1))
        check(ccurl_easy_setopt_long(easy, CURLOPT_SSL_VERIFYHOST, 2))
        if pool.http2Multiplexing {
            check(ccurl_easy_setopt_long(easy, CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_2TLS)))
            if request.url.hasPrefix("https://") { check(ccurl_easy_setopt_long(easy, CURLOPT_PIPEWAIT, 1)) }
        } else {
            check(ccurl_easy_setopt_long(easy, CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_1_1)))
        }

        switch request.method {
        case .get: check(ccurl_easy_setopt_long(easy, CURLOPT_HTTPGET, 1))
        case .head: check(ccurl_easy_setopt_long(easy, CURLOPT_NOBODY, 1))
        case .post, .put, .delete:
            if request.method != .post { check(ccurl_easy_setopt_str(easy, CURLOPT_CUSTOMREQUEST, request.method.rawValue)) }
            let body = request.body ?? []
            check(ccurl_easy_setopt_off_t(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count)))
            // COPYPOSTFIELDS copies, so the Swift array need not outlive this call.
            if body.isEmpty {
                check(ccurl_easy_setopt_ptr(easy, CURLOPT_COPYPOSTFIELDS, emptyPostBody))
            } else {
                body.withUnsafeBytes { raw in
                    check(ccurl_easy_setopt_ptr(easy, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: raw.baseAddress!)))
                }
            }
        }

        var list: UnsafeMutablePointer<curl_slist>?
        var hasUserAgent = false
        for field in request.headers {
            if field.name.lowercased() == "user-agent" { hasUserAgent = true }
            guard !field.name.contains(where: { $0 == "\r" || $0 == "\n" || $0 == ":" }),
                !field.value.contains(where: { $0 == "\r" || $0 == "\n" })
            else {
                curl_slist_free_all(list)
                return "header field '\(field.name.prefix(40))' contains a line break or colon"
            }
            list = curl_slist_append(list, "\(field.name): \(field.value)")
        }
        // libcurl adds `Expect: 100-continue` to larger POSTs; upstream APIs do not need the extra round trip.
        if request.method != .get { list = curl_slist_append(list, "Expect:") }
        transfer.headerList = list
        check(ccurl_easy_setopt_slist(easy, CURLOPT_HTTPHEADER, list))
        if !hasUserAgent { check(ccurl_easy_setopt_str(easy, CURLOPT_USERAGENT, pool.userAgent)) }

        if failed != CURLE_OK {
            return "libcurl rejected an option: \(String(cString: curl_easy_strerror(failed)))"
        }
        return nil
    }

    /// Reads the status and phase timings once a transfer is done.
    static func response(of easy: UnsafeMutableRawPointer, transfer: CurlTransfer) -> HTTPResponse {
        var status = 0
        ccurl_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
        var connects = 0
        ccurl_easy_getinfo_long(easy, CURLINFO_NUM_CONNECTS, &connects)
        func micros(_ info: CURLINFO) -> Duration {
            var value: curl_off_t = 0
            ccurl_easy_getinfo_off_t(easy, info, &value)
            return .microseconds(value)
        }
        let timings = HTTPTimings(
            dns: micros(CURLINFO_NAMELOOKUP_TIME_T), connect: micros(CURLINFO_CONNECT_TIME_T),
            tls: micros(CURLINFO_APPCONNECT_TIME_T), firstByte: micros(CURLINFO_STARTTRANSFER_TIME_T),
            total: micros(CURLINFO_TOTAL_TIME_T), connectionsOpened: connects
        )
        return HTTPResponse(status: status, headers: transfer.headers, body: transfer.body, timings: timings)
    }

    static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return max(1, Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000))
    }
}
