import TributaryCore

/// Why a connector could not build a request or read a response.
///
/// Each case knows whether a retry could help and whether it is evidence of a sick upstream;
/// the worker uses that to drive retries and the circuit breaker, and the CLI to explain.
public struct ConnectorError: Error, Hashable, CustomStringConvertible {
    public enum Code: Hashable, Sendable {
        /// The endpoint name is not one this source serves.
        case unknownEndpoint
        /// A required parameter (symbol, key) is missing or malformed.
        case invalidArgument
        /// A credential is not configured.
        case missingCredential
        /// The upstream answered with an error (HTTP status or an error body on a 200).
        case upstream(status: Int)
        /// The upstream says we are sending too much (429, 418, or a throttling body).
        case throttled(status: Int)
        /// The provider's daily (or plan) allowance is spent; it resets later by itself.
        case quotaExhausted
        /// The upstream rejected the key (401, 403, "apiKeyInvalid", "not registered").
        case rejectedCredential
        /// The body is not in the documented shape.
        case decode
        /// The upstream answered but has no data for the request (e.g. unknown symbol).
        case noData
        /// The upstream answered HTTP 404: no such symbol, series or path there. Apart from
        /// ``noData`` only in its metrics label (`not_found`), so a moved API shows as such.
        case notFound
    }

    public let code: Code
    public let source: SourceID
    public let message: String

    public init(_ code: Code, source: SourceID, _ message: String) {
        self.code = code
        self.source = source
        self.message = message
    }

    public var isRetryable: Bool {
        switch code {
        case .throttled: true
        case .upstream(let status): status == 408 || status >= 500
        case .unknownEndpoint, .invalidArgument, .missingCredential, .decode, .noData, .notFound, .quotaExhausted, .rejectedCredential: false
        }
    }

    public var countsAgainstBreaker: Bool {
        switch code {
        case .upstream(let status): status >= 500
        case .unknownEndpoint, .invalidArgument, .missingCredential, .decode, .noData, .notFound, .throttled, .quotaExhausted,
            .rejectedCredential:
            false
        }
    }

    public var description: String { "\(source): \(message)" }
}
