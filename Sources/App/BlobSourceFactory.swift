import Foundation
import Pipeline
import SourceS3
import TributaryCore

/// Opens the bucket an `s3://` URL names: credentials from the standard chain, the region and
/// endpoint from the flags or the environment. The one place that names the S3 adapter.
public enum BlobSourceFactory {
    public struct S3Settings: Sendable {
        public var region: String?
        public var endpointURL: String?
        /// `path` or `virtual`; nil: path-style for a custom endpoint, virtual-host for AWS.
        public var addressing: String?
        /// Keys per listing request (S3's `max-keys`).
        public var pageSize: Int
        /// S3's `delimiter`: `/` lists one level below the prefix.
        public var delimiter: String?

        public init(region: String? = nil, endpointURL: String? = nil, addressing: String? = nil, pageSize: Int = 1000, delimiter: String? = nil) {
            self.region = region
            self.endpointURL = endpointURL
            self.addressing = addressing
            self.pageSize = pageSize
            self.delimiter = delimiter
        }
    }

    public struct Invalid: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// The bucket prefix `url` names, read through `transport`; its location (for state URIs) too.
    public static func s3(
        _ url: String, settings: S3Settings, environment: [String: String], transport: any HTTPTransport
    ) throws -> (source: any BlobSource, uriPrefix: String) {
        let chain = AWSCredentialChain(environment: environment) { path in try? String(contentsOfFile: path, encoding: .utf8) }
        var addressing: S3Location.Addressing?
        if let style = settings.addressing {
            guard let parsed = S3Location.Addressing(rawValue: style) else {
                throw Invalid(description: "--s3-addressing '\(style)': use path or virtual")
            }
            addressing = parsed
        }
        let endpoint = settings.endpointURL ?? nonEmpty(environment["AWS_ENDPOINT_URL_S3"]) ?? nonEmpty(environment["AWS_ENDPOINT_URL"])
        let location: S3Location
        do {
            location = try S3Location(url: url, region: settings.region ?? chain.region(), endpointURL: endpoint, addressing: addressing)
        } catch { throw Invalid(description: error.description) }
        let credentials: AWSCredentials
        do { credentials = try chain.resolve() } catch { throw Invalid(description: "\(url): \(error)") }
        let source = S3BlobSource(
            location: location, credentials: credentials, transport: transport, pageSize: settings.pageSize, delimiter: settings.delimiter)
        return (source, location.uri(of: location.prefix))
    }

    private static func nonEmpty(_ text: String?) -> String? {
        guard let text, !text.isEmpty else { return nil }
        return text
    }
}
