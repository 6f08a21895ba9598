import Crypto
import TributaryCore

/// AWS Signature Version 4: the `Authorization` header S3 (and every AWS-style server: MinIO,
/// localstack, moto) checks on each request.
///
/// Written against AWS's published signing test suite (the vectors under
/// `Tests/Fixtures/sigv4/` are checked byte for byte: canonical request, string to sign,
/// signature). S3 differs from the other services in one way the signer must know: it signs
/// the path exactly as sent (no dot-segment or slash normalization), so ``normalizesPath`` is
/// false for S3 and true for the suite's generic service.
public struct SigV4Signer: Sendable {
    public struct Request: Sendable {
        public var method: String
        /// The path, not percent-encoded (`/bucket/prices 2026.csv`); the signer encodes it.
        public var path: String
        /// Query parameters, not percent-encoded, in any order.
        public var query: [(name: String, value: String)]
        /// Headers to sign, `host` among them; names in any case, repeated names allowed.
        public var headers: [(name: String, value: String)]
        /// Lower-case hex SHA-256 of the body (or `UNSIGNED-PAYLOAD`).
        public var payloadHash: String

        public init(
            method: String, path: String, query: [(name: String, value: String)] = [], headers: [(name: String, value: String)],
            payloadHash: String = SigV4Signer.emptyPayloadHash
        ) {
            self.method = method
            self.path = path
            self.query = query
            self.headers = headers
            self.payloadHash = payloadHash
        }
    }

    /// What to add to the request: `x-amz-date`, the session token when there is one, and `authorization`.
    public struct Signed: Sendable {
        public var headers: [(name: String, value: String)]
        public var canonicalRequest: String
        public var stringToSign: String
        public var signature: String
    }

    public static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    public var credentials: AWSCredentials
    public var region: String
    public var service: String
    public var normalizesPath: Bool

    public init(credentials: AWSCredentials, region: String, service: String = "s3", normalizesPath: Bool? = nil) {
        self.credentials = credentials
        self.region = region
        self.service = service
        self.normalizesPath = normalizesPath ?? (service != "s3")
    }

    /// Signs `request` as of `time` (the signature is valid for 15 minutes around it).
    public func sign(_ request: Request, at time: UTCTimestamp) -> Signed {
        let amzDate = Self.amzDate(time)
        var headers = request.headers
        headers.append(("x-amz-date", amzDate))
        if let token = credentials.sessionToken { headers.append(("x-amz-security-token", token)) }
        let (canonicalHeaders, signedHeaders) = Self.canonicalHeaders(headers)
        let canonical = [
            request.method.uppercased(),
            Self.canonicalPath(request.path, normalize: normalizesPath),
            Self.canonicalQuery(request.query),
            canonicalHeaders,
            signedHeaders,
            request.payloadHash,
        ].joined(separator: "\n")
        let day = String(amzDate.prefix(8))
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, Self.hex(SHA256.hash(data: Array(canonical.utf8)))].joined(separator: "\n")
        var key = Array(("AWS4" + credentials.secretAccessKey).utf8)
        for part in [day, region, service, "aws4_request"] { key = HMACSignature.sha256(key: key, message: part.utf8) }
        let signature = ContentHash.hex(HMACSignature.sha256(key: key, message: stringToSign.utf8))
        let authorization = "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)"
        var added: [(name: String, value: String)] = [("x-amz-date", amzDate)]
        if let token = credentials.sessionToken { added.append(("x-amz-security-token", token)) }
        added.append(("authorization", authorization))
        return Signed(headers: added, canonicalRequest: canonical, stringToSign: stringToSign, signature: signature)
    }

    /// `20150830T123600Z`: the signing time as SigV4 writes it (seconds, UTC).
    static func amzDate(_ time: UTCTimestamp) -> String {
        let text = time.rfc3339  // 2015-08-30T12:36:00[.fff]Z
        return String(text.prefix(19).filter { $0 != "-" && $0 != ":" }) + "Z"
    }

    /// Lower-case names in order, values trimmed with inner runs of spaces collapsed, repeated
    /// names joined by commas in the order given.
    static func canonicalHeaders(_ headers: [(name: String, value: String)]) -> (block: String, signed: String) {
        var byName: [String: [String]] = [:]
        for (name, value) in headers {
            var collapsed = ""
            var lastWasSpace = false
            for character in value.trimmingSpaces() {
                let isSpace = character == " " || character == "\t"
                if isSpace, lastWasSpace { continue }
                collapsed.append(isSpace ? " " : character)
                lastWasSpace = isSpace
            }
            byName[name.lowercased(), default: []].append(collapsed)
        }
        let names = byName.keys.sorted()
        let block = names.map { "\($0):\(byName[$0]!.joined(separator: ","))\n" }.joined()
        return (block, names.joined(separator: ";"))
    }

    /// Each segment percent-encoded (RFC 3986 unreserved characters kept, `/` kept between
    /// segments); with `normalize`, `.` and `..` segments resolved and empty segments dropped.
    static func canonicalPath(_ path: String, normalize: Bool) -> String {
        guard !path.isEmpty else { return "/" }
        var segments = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        if normalize {
            var resolved: [String] = []
            for segment in segments.dropFirst() {
                switch segment {
                case "", ".": continue
                case "..": if !resolved.isEmpty { resolved.removeLast() }
                default: resolved.append(segment)
                }
            }
            let trailing = path.hasSuffix("/") && !resolved.isEmpty
            segments = [""] + resolved + (trailing ? [""] : [])
            if resolved.isEmpty { return "/" }
        }
        return segments.map(Self.encode).joined(separator: "/")
    }

    /// `name=value` pairs encoded and sorted by name, then value.
    static func canonicalQuery(_ query: [(name: String, value: String)]) -> String {
        query.map { (Self.encode($0.name), Self.encode($0.value)) }
            .sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
            .map { "\($0.0)=\($0.1)" }
            .joined(separator: "&")
    }

    /// RFC 3986 percent-encoding as SigV4 wants it: only `A-Z a-z 0-9 - . _ ~` stay as they are,
    /// every other UTF-8 byte becomes `%XX` with upper-case hex.
    public static func encode(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        let hex = Array("0123456789ABCDEF".utf8)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out.unicodeScalars.append("%")
                out.unicodeScalars.append(Unicode.Scalar(hex[Int(byte >> 4)]))
                out.unicodeScalars.append(Unicode.Scalar(hex[Int(byte & 0xF)]))
            }
        }
        return out
    }

    /// Lower-case hex SHA-256 of `bytes` (a payload hash).
    public static func payloadHash(_ bytes: [UInt8]) -> String { hex(SHA256.hash(data: bytes)) }

    static func hex(_ digest: SHA256.Digest) -> String { ContentHash.hex(Array(digest)) }
}

extension String {
    fileprivate func trimmingSpaces() -> Substring {
        var text = self[...]
        while let first = text.first, first == " " || first == "\t" { text.removeFirst() }
        while let last = text.last, last == " " || last == "\t" { text.removeLast() }
        return text
    }
}
