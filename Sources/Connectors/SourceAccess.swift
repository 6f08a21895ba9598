import TributaryCore

/// How a connector reaches its source: the address, the key (with the variable it came from)
/// and the timeouts, resolved once from Sources.d and the environment by the registry.
public struct SourceAccess: Sendable, Hashable {
    public var baseURL: String
    public var apiKey: String?
    /// The environment variable the key comes from, named in "set …" messages.
    public var keyVariable: String
    public var connectTimeout: Duration
    public var totalTimeout: Duration

    public init(baseURL: String, apiKey: String? = nil, keyVariable: String = "", connectTimeout: Duration = .seconds(2), totalTimeout: Duration = .seconds(10))
    {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.apiKey = apiKey
        self.keyVariable = keyVariable
        self.connectTimeout = connectTimeout
        self.totalTimeout = totalTimeout
    }
}

/// A connector whose source needs a key: its address, key and timeouts live in one ``SourceAccess``.
public protocol KeyedConnector: Connector {
    /// The provider's public address, key variable and timeouts.
    static var defaultAccess: SourceAccess { get }
    var access: SourceAccess { get }
    init(access: SourceAccess)
}

extension KeyedConnector {
    public var baseURL: String { access.baseURL }
    public var apiKey: String? { access.apiKey }
    public var keyVariable: String { access.keyVariable }
    public var connectTimeout: Duration { access.connectTimeout }
    public var totalTimeout: Duration { access.totalTimeout }
    public static var defaultBaseURL: String { defaultAccess.baseURL }

    /// The default address and timeouts, with these overrides (what tests and tools build).
    public init(baseURL: String? = nil, apiKey: String? = nil) {
        var access = Self.defaultAccess
        if let baseURL {
            access = SourceAccess(baseURL: baseURL, keyVariable: access.keyVariable, connectTimeout: access.connectTimeout, totalTimeout: access.totalTimeout)
        }
        access.apiKey = apiKey
        self.init(access: access)
    }
}
