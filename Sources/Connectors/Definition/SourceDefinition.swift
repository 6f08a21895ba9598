import TributaryCore

/// One Sources.d file: how to reach a source and how to protect it.
///
/// The file names the Swift connector that reads the source's responses (`connector:`,
/// default the id), its base URL, its credentials' environment variables, its rate limit,
/// breaker, retry and timeout settings, per-endpoint request weights and the default poll
/// schedule. Every field but `id` is optional; what is left out keeps the built-in default.
public struct SourceDefinition: Sendable, Hashable {
    public var id: SourceID
    public var name: String?
    public var connector: String
    public var baseURL: String?
    public var auth: Auth?
    public var rateLimit: RateLimit?
    public var breaker = Breaker()
    public var retry = Retry()
    public var maxConcurrent: Int?
    public var dailyQuota: Int?
    public var connectTimeout: Duration?
    public var totalTimeout: Duration?
    /// Endpoint name → request weight in the rate limit's units.
    public var endpointWeights: [String: Double] = [:]
    /// For `connector: declarative`: the endpoints the file describes.
    public var declarativeEndpoints: [String: DeclarativeEndpoint] = [:]
    /// For `connector: declarative` (`symbols:`): canonical symbol → the venue's spelling, so
    /// `--symbol BTC-USDT` is sent as `btcusdt` and the venue's `btcusdt` is stored as `BTC-USDT`.
    public var symbolMap: [String: String] = [:]
    public var poll: [Poll] = []
    /// Age of the newest `as_of` after which the source counts as stale; nil: the service's
    /// default, or three poll periods if longer. Slow series (GDP) set it to months.
    public var staleAfter: Duration?
    /// The p95 request latency this source should stay under; nil: the service's `latency.p95_target`.
    public var p95Target: Duration?
    /// How events pushed to `POST /ingest/<id>` are checked and limited; nil: pushes refused.
    public var push: Push?
    /// How pushed events and imported rows of this source map to record fields (`rules:`).
    public var rules: NormalizationRules?
    /// The file it came from, for messages.
    public var file: String

    public init(id: SourceID, file: String) {
        self.id = id
        self.connector = id.rawValue
        self.file = file
    }

    /// The `push:` section: signature scheme and secret, rate limit, body limit.
    public struct Push: Sendable, Hashable {
        /// `standard-webhooks`, `hmac-sha256`, or nil for unsigned pushes (loopback tests, trusted networks).
        public var signatureScheme: String?
        /// The environment variable holding the signing secret.
        public var secretEnv: String?
        /// How far a Standard Webhooks timestamp may be from now.
        public var tolerance: Duration = .seconds(300)
        public var rateLimit: RateLimit?
        public var maxBodyBytes = 1_048_576
        public init() {}
    }

    /// True for a source that only receives pushes (no connector, nothing to poll).
    public var isPushOnly: Bool { connector == "push" }

    public struct Auth: Sendable, Hashable {
        public var kind: String
        public var keyEnv: String?
        public var secretEnv: String?
        /// For `query` and `header` auth of declarative sources: the parameter or header name.
        public var name: String?
    }

    public struct RateLimit: Sendable, Hashable {
        public var capacity: Double
        public var refillPerSecond: Double

        public init(capacity: Double, refillPerSecond: Double) {
            self.capacity = capacity
            self.refillPerSecond = refillPerSecond
        }
    }

    public struct Breaker: Sendable, Hashable {
        public var failureThreshold: Int?
        public var windowSize: Int?
        public var minimumCalls: Int?
        public var failureRate: Double?
        public var openDuration: Duration?
        public var halfOpenProbes: Int?
        public var slowCall: Duration?
    }

    public struct Retry: Sendable, Hashable {
        public var maxAttempts: Int?
        public var base: Duration?
        public var cap: Duration?
        public var jitter: String?
        public var maxRetryAfter: Duration?
        public var budgetRatio: Double?
        public var budgetFloorPerSecond: Double?
    }

    /// One line of the default poll schedule.
    public struct Poll: Sendable, Hashable {
        public var endpoint: String
        public var symbols: [String]
        public var every: Duration
        public var parameters: [String: String]

        public init(endpoint: String, symbols: [String], every: Duration, parameters: [String: String] = [:]) {
            self.endpoint = endpoint
            self.symbols = symbols
            self.every = every
            self.parameters = parameters
        }
    }

    /// The environment variables this source's credentials come from.
    public var credentialVariables: [String] {
        [auth?.keyEnv, auth?.secretEnv, push?.secretEnv].compactMap { $0 }
    }
}
