import CCurl
import TributaryCore

/// Maps libcurl's result codes to ``TransportError``.
enum CurlError {
    static func transportError(_ code: CURLcode, easy: UnsafeMutableRawPointer, transfer: CurlTransfer) -> TransportError {
        let detail = transfer.errorDetail.isEmpty ? String(cString: curl_easy_strerror(code)) : transfer.errorDetail
        switch code {
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            return .dnsFailed(detail)
        case CURLE_COULDNT_CONNECT:
            return .connectFailed(detail)
        case CURLE_OPERATION_TIMEDOUT:
            // libcurl reports both timeouts with one code; a transfer that never got a
            // connection (connect time 0) timed out connecting.
            var connected: curl_off_t = 0
            ccurl_easy_getinfo_off_t(easy, CURLINFO_CONNECT_TIME_T, &connected)
            return connected == 0 ? .connectTimeout(detail) : .timeout(detail)
        case CURLE_FILESIZE_EXCEEDED:
            return .bodyTooLarge(limit: transfer.request.maxBodyBytes)
        case CURLE_WRITE_ERROR where transfer.bodyLimitExceeded:
            return .bodyTooLarge(limit: transfer.request.maxBodyBytes)
        case CURLE_PARTIAL_FILE, CURLE_GOT_NOTHING, CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_HTTP2_STREAM, CURLE_HTTP2:
            return .connectionClosed(detail)
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
            CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR:
            return .tlsFailed(detail)
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL, CURLE_BAD_FUNCTION_ARGUMENT:
            return .invalidRequest(detail)
        default:
            return .other(code: Int(code.rawValue), detail)
        }
    }
}
