import TributaryCore

/// Why a connector could not build a request or read a response.
///
/// Each case knows whether a retry could help and whether it is evidence of a sick upstream;
/// the worker uses that to drive retries and the circuit breaker, and the CLI to explain.
public struct ConnectorError: Error, Hashable, CustomStringConvertible {
    /// What went wrong, as a value that can grow (like ``TransportError``): a struct around a
    /// private case list with a static member per kind, so adding a kind breaks no caller.
    /// Compare with `==` or match in a `switch` with a `default`.
    public struct Code: Hashable, Sendable {
        enum Kind: Hashable, Sendable {
            case unknownEndpoint, invalidArgument, missingCredential, quotaExhausted, rejectedCredential, decode, noData, notFound
            case upstream(status: Int)
            case throttled(status: Int)
        }

        let kind: Kind

        /// The endpoint name is not one this source serves.
        public static let unknownEndpoint = Code(kind: .unknownEndpoint)
        /// A required parameter (symbol, key) is missing or malformed.
        public static let invalidArgument = Code(kind: .invalidArgument)
        /// A credential is not configured.
        public static let missingCredential = Code(kind: .missingCredential)
        /// The upstream answered with an error (HTTP status or an error body on a 200).
        public static func upstream(status: Int) -> Code { Code(kind: .upstream(status: status)) }
        /// The upstream says we are sending too much (429, 418, or a throttling body).
        public static func throttled(status: Int) -> Code { Code(kind: .throttled(status: status)) }
        /// The provider's daily (or plan) allowance is spent; it resets later by itself.
        public static let quotaExhausted = Code(kind: .quotaExhausted)
        /// The upstream rejected the key (401, 403, "apiKeyInvalid", "not registered").
        public static let rejectedCredential = Code(kind: .rejectedCredential)
        /// The body is not in the documented shape.
        public static let decode = Code(kind: .decode)
        /// The upstream answered but has no data for the request (e.g. unknown symbol).
        public static let noData = Code(kind: .noData)
        /// The upstream answered HTTP 404: no such symbol, series or path there. Apart from
        /// ``noData`` only in its metrics label (`not_found`), so a moved API shows as such.
        public static let notFound = Code(kind: .notFound)

        /// The status of a throttling answer (429, 418), nil for any other code.
        public var throttleStatus: Int? { if case .throttled(let status) = kind { status } else { nil } }

        /// A short, bounded name for metrics labels (never the message, which may echo input).
        public var label: String {
            switch kind {
            case .upstream(let status): "http_\(status / 100)xx"
            case .throttled: "throttled"
            case .quotaExhausted: "quota"
            case .rejectedCredential, .missingCredential: "credential"
            case .decode: "decode"
            case .noData: "no_data"
            case .notFound: "not_found"
            case .unknownEndpoint, .invalidArgument: "request"
            }
        }
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
        switch code.kind {
        case .throttled: true
        case .upstream(let status): status == 408 || status >= 500
        case .unknownEndpoint, .invalidArgument, .missingCredential, .decode, .noData, .notFound, .quotaExhausted, .rejectedCredential: false
        }
    }

    public var countsAgainstBreaker: Bool {
        switch code.kind {
        case .upstream(let status): status >= 500
        case .unknownEndpoint, .invalidArgument, .missingCredential, .decode, .noData, .notFound, .throttled, .quotaExhausted,
            .rejectedCredential:
            false
        }
    }

    public var description: String { "\(source): \(message)" }
}
