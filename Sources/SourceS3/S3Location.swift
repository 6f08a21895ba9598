import Foundation

/// `s3://bucket/prefix` and where to send its requests: AWS's regional endpoint, or a custom
/// one (`--endpoint-url`, `AWS_ENDPOINT_URL_S3`, `AWS_ENDPOINT_URL`: MinIO, localstack, moto),
/// addressed path-style (`http://host:9000/bucket/key`, the default for a custom endpoint) or
/// virtual-host style (`https://bucket.s3.eu-west-1.amazonaws.com/key`, the default for AWS).
public struct S3Location: Sendable, Hashable, CustomStringConvertible {
    public enum Addressing: String, Sendable, Hashable, CaseIterable {
        case path, virtual
    }

    public var bucket: String
    /// Keys to list start with this (empty: the whole bucket).
    public var prefix: String
    public var region: String
    /// `scheme://host[:port]` without a trailing slash.
    public var endpoint: String
    public var addressing: Addressing

    public struct Invalid: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// Parses `s3://bucket[/prefix]` and settles the endpoint and addressing.
    public init(url: String, region: String?, endpointURL: String?, addressing: Addressing? = nil) throws(Invalid) {
        guard url.hasPrefix("s3://") else { throw Invalid(description: "'\(url)' is not an s3:// URL (write s3://bucket/prefix)") }
        let rest = url.dropFirst("s3://".count)
        let bucket = String(rest.prefix { $0 != "/" })
        guard Self.isBucketName(bucket) else {
            throw Invalid(
                description:
                    "'\(url)': '\(bucket)' is not a bucket name (3–63 characters: lower-case letters, digits, '.' and '-', starting and ending with a letter or digit)"
            )
        }
        self.bucket = bucket
        self.prefix = String(rest.dropFirst(bucket.count).drop { $0 == "/" })
        self.region = region ?? "us-east-1"
        if let endpointURL {
            guard let components = URLComponents(string: endpointURL), let scheme = components.scheme, scheme == "http" || scheme == "https",
                let host = components.host, !host.isEmpty
            else {
                throw Invalid(description: "endpoint URL '\(endpointURL)' needs a scheme and a host (http://127.0.0.1:9000 or https://minio.example.com)")
            }
            guard components.path.isEmpty || components.path == "/", components.query == nil else {
                throw Invalid(description: "endpoint URL '\(endpointURL)': give the server only (scheme, host, port), not a path or a query")
            }
            self.endpoint = "\(scheme)://\(host)\(components.port.map { ":\($0)" } ?? "")"
            self.addressing = addressing ?? .path
        } else {
            self.endpoint = "https://s3.\(self.region).amazonaws.com"
            // Bucket names with dots break TLS for virtual hosts (the certificate covers one label).
            self.addressing = addressing ?? (bucket.contains(".") ? .path : .virtual)
        }
    }

    public var description: String { "s3://\(bucket)/\(prefix)" }

    /// The `s3://bucket/key` address of one object.
    public func uri(of key: String) -> String { "s3://\(bucket)/\(key)" }

    /// The host (with a non-default port) requests go to, as the `host` header carries it.
    public var host: String {
        let authority = endpoint.drop { $0 != "/" }.dropFirst(2)
        return addressing == .virtual ? "\(bucket).\(authority)" : String(authority)
    }

    /// The URL path of a bucket-level request (`/bucket/` or `/`) or of an object, not encoded.
    public func path(key: String?) -> String {
        let base = addressing == .path ? "/\(bucket)" : ""
        guard let key else { return base + "/" }
        return base + "/" + key
    }

    /// The full URL for a path (encoded segment by segment as the signer encodes it) and query.
    public func url(path: String, query: [(name: String, value: String)]) -> String {
        let scheme = endpoint.prefix { $0 != ":" }
        let encodedPath = path.split(separator: "/", omittingEmptySubsequences: false).map { SigV4Signer.encode(String($0)) }.joined(separator: "/")
        let queryText = query.map { "\(SigV4Signer.encode($0.name))=\(SigV4Signer.encode($0.value))" }.joined(separator: "&")
        return "\(scheme)://\(host)\(encodedPath)\(queryText.isEmpty ? "" : "?" + queryText)"
    }

    static func isBucketName(_ name: String) -> Bool {
        guard (3...63).contains(name.count), let first = name.first, let last = name.last else { return false }
        let allowed = name.allSatisfy { ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "." || $0 == "-" }
        let edges = [first, last].allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber) }
        return allowed && edges && !name.contains("..")
    }
}
