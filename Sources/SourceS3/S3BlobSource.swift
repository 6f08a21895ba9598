import Foundation
import Pipeline
import TributaryCore

/// A bucket prefix as a ``BlobSource``: `ListObjectsV2` pages and ranged `GetObject` reads,
/// each signed with SigV4 and sent through the process's one libcurl transport.
///
/// It makes one attempt per call and says what went wrong as a ``BlobError``; the retries,
/// backoff, breaker and rate limit around it are the engine's (`GuardedBlobSource`), the same
/// as for every REST source. Credentials are resolved once, when it is made, and never appear
/// in a message.
public struct S3BlobSource: BlobSource {
    public let bucket: S3Location
    private let transport: any HTTPTransport
    private let signer: SigV4Signer
    private let now: @Sendable () -> UTCTimestamp
    private let timeout: Duration
    /// Keys per listing request (`max-keys`, 1…1000).
    public let pageSize: Int
    public let delimiter: String?

    /// `pageSize` is clamped to S3's 1…1000.
    public init(
        location: S3Location, credentials: AWSCredentials, transport: any HTTPTransport, pageSize: Int = 1000, delimiter: String? = nil,
        timeout: Duration = .seconds(60), now: @escaping @Sendable () -> UTCTimestamp = { .now() }
    ) {
        self.bucket = location
        self.pageSize = min(max(pageSize, 1), 1000)
        self.delimiter = delimiter
        self.transport = transport
        self.signer = SigV4Signer(credentials: credentials, region: location.region)
        self.now = now
        self.timeout = timeout
    }

    public var location: String { bucket.description }

    public func list(startAfter: String?, continuation: String?) async throws -> BlobPage {
        var query: [(name: String, value: String)] = [("list-type", "2"), ("max-keys", String(pageSize))]
        if !bucket.prefix.isEmpty { query.append(("prefix", bucket.prefix)) }
        if let delimiter { query.append(("delimiter", delimiter)) }
        if let continuation {
            query.append(("continuation-token", continuation))
        } else if let startAfter {
            // Relative to the prefix, as the protocol's keys are; S3 compares whole keys.
            query.append(("start-after", bucket.prefix + startAfter))
        }
        let response = try await send(method: .get, key: nil, query: query, extraHeaders: [], maxBody: 8 << 20, location: location)
        guard response.status == 200 else { throw Self.failure(response, location: location) }
        let parsed: S3XML.Listing
        do { parsed = try S3XML.listing(response.body) } catch {
            throw BlobError(.invalidResponse, location: location, "the bucket listing could not be read: \(error.detail)")
        }
        let objects = try parsed.entries.map { entry -> BlobObject in
            guard let modified = UTCTimestamp(rfc3339: entry.lastModified) else {
                throw BlobError(.invalidResponse, location: bucket.uri(of: entry.key), "LastModified '\(entry.lastModified)' is not an RFC 3339 time")
            }
            return BlobObject(key: entry.key, size: entry.size, etag: entry.etag, lastModified: modified, uri: bucket.uri(of: entry.key))
        }
        if parsed.truncated, parsed.next == nil {
            throw BlobError(.invalidResponse, location: location, "the listing is truncated but gives no NextContinuationToken")
        }
        return BlobPage(objects: objects, continuation: parsed.truncated ? parsed.next : nil, commonPrefixes: parsed.commonPrefixes)
    }

    public func read(_ object: BlobObject, range: Range<Int64>) async throws -> [UInt8] {
        guard !range.isEmpty else { return [] }
        var headers: [(name: String, value: String)] = [("range", "bytes=\(range.lowerBound)-\(range.upperBound - 1)")]
        if !object.etag.isEmpty { headers.append(("if-match", "\"\(object.etag)\"")) }
        let wanted = Int(range.count)
        let response = try await send(method: .get, key: object.key, query: [], extraHeaders: headers, maxBody: wanted + 4096, location: object.uri)
        switch response.status {
        case 206:
            return response.body
        case 200:
            // A server that ignores Range sends the whole object: keep the part asked for.
            let lower = Int(range.lowerBound)
            guard lower <= response.body.count else { return [] }
            return Array(response.body[lower..<min(response.body.count, lower + wanted)])
        case 416:
            return []
        default:
            throw Self.failure(response, location: object.uri)
        }
    }

    /// `HeadObject`: the object's size and entity tag now, or ``BlobError/Code/noSuchKey``.
    public func head(key: String) async throws -> BlobObject {
        let uri = bucket.uri(of: key)
        let response = try await send(method: .head, key: key, query: [], extraHeaders: [], maxBody: 0, location: uri)
        guard response.status == 200 else { throw Self.failure(response, location: uri) }
        guard let length = response.headers["content-length"].flatMap({ Int64($0) }) else {
            throw BlobError(.invalidResponse, location: uri, "HeadObject gave no Content-Length")
        }
        let modified = response.headers["last-modified"].flatMap(Self.httpDate)
        return BlobObject(key: key, size: length, etag: S3XML.unquoted(response.headers["etag"] ?? ""), lastModified: modified, uri: uri)
    }

    private func send(
        method: HTTPRequest.Method, key: String?, query: [(name: String, value: String)], extraHeaders: [(name: String, value: String)],
        maxBody: Int, location: String
    ) async throws -> HTTPResponse {
        let path = bucket.path(key: key)
        var headers: [(name: String, value: String)] = [("host", bucket.host), ("x-amz-content-sha256", SigV4Signer.emptyPayloadHash)]
        headers += extraHeaders
        let signed = signer.sign(
            SigV4Signer.Request(method: method.rawValue, path: path, query: query, headers: headers, payloadHash: SigV4Signer.emptyPayloadHash),
            at: now())
        // libcurl writes the Host header from the URL itself.
        let sent = HTTPHeaders(headers.filter { $0.name != "host" } + signed.headers)
        let request = HTTPRequest(
            method: method, url: bucket.url(path: path, query: query), headers: sent, connectTimeout: .seconds(10), totalTimeout: timeout,
            maxBodyBytes: max(maxBody, 64 * 1024))
        do {
            return try await transport.send(request)
        } catch let error as TransportError {
            throw BlobError(error.isRetryable ? .unavailable : .unreadable, location: location, "\(error)")
        }
    }

    /// What a non-success answer means, from its status and its XML error code.
    static func failure(_ response: HTTPResponse, location: String) -> BlobError {
        let parsed = S3XML.error(response.body)
        let code = parsed?.code ?? ""
        let said = parsed.map { " (S3 said \($0.code): \($0.message))" } ?? " (HTTP \(response.status))"
        let retryAfter = response.headers["retry-after"].flatMap(Double.init)
        switch (response.status, code) {
        case (_, "NoSuchBucket"):
            return BlobError(.noSuchBucket, location: location, "the bucket does not exist; check its name and the region/endpoint\(said)")
        case (_, "NoSuchKey"), (404, ""):
            return BlobError(.noSuchKey, location: location, "the object is not there (deleted since it was listed?)\(said)")
        case (_, "ExpiredToken"), (_, "TokenRefreshRequired"):
            return BlobError(.expiredToken, location: location, "the session token has expired; get new temporary credentials\(said)")
        case (_, "InvalidAccessKeyId"), (_, "SignatureDoesNotMatch"), (_, "InvalidToken"):
            return BlobError(
                .invalidCredentials, location: location,
                "the credentials were refused; check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or the profile) and the region\(said)")
        case (_, "AccessDenied"), (_, "AllAccessDisabled"), (403, ""):
            return BlobError(
                .accessDenied, location: location, "access denied; the key needs s3:ListBucket on the bucket and s3:GetObject on its objects\(said)")
        case (412, _), (_, "PreconditionFailed"):
            return BlobError(.changed, location: location, "the object changed while it was read; run the import again to read its new version\(said)")
        case (_, "SlowDown"), (429, _), (503, _), (_, "RequestLimitExceeded"), (_, "Throttling"):
            return BlobError(.throttled, location: location, "the server asks for fewer requests\(said)", retryAfterSeconds: retryAfter)
        case (500...599, _), (_, "InternalError"):
            return BlobError(.unavailable, location: location, "server error\(said)", retryAfterSeconds: retryAfter)
        default:
            return BlobError(.invalidResponse, location: location, "unexpected answer\(said)")
        }
    }

    static func httpDate(_ text: String) -> UTCTimestamp? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: text), date.timeIntervalSince1970.isFinite, abs(date.timeIntervalSince1970) < 9e9 else { return nil }
        return UTCTimestamp(secondsSinceEpoch: Int64(date.timeIntervalSince1970))
    }
}
