/// A fault the mock market injects into one source's answers (or every source's, with `*`).
///
/// Written as `SOURCE:KIND[:key=value]…`, for example `binance:429:retry-after=2:rate=0.3`,
/// `kraken:418:retry-after=120`, `coinbase:5xx:status=503:count=10`, `finnhub:latency:ms=300`,
/// `yahoo:hang:seconds=30`, `fred:reset`, `polygon:truncate`, `fmp:malformed`, `tiingo:html`,
/// `alphavantage:error-body`. `rate` is the share of requests hit (default 1); `count` stops
/// the fault after that many hits.
public struct MockFault: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// 429 with `Retry-After` in seconds, or as an HTTP-date that many seconds ahead.
        case throttle(retryAfterSeconds: Int?, asDate: Bool)
        /// 418, Binance's IP ban, with `Retry-After`.
        case ban(retryAfterSeconds: Int)
        case serverError(status: Int)
        case latency(milliseconds: Int)
        case hang(seconds: Int)
        /// The connection is dropped without an answer.
        case reset
        /// The body is announced in full and cut short.
        case truncate
        case malformed
        /// An HTML error page, as a proxy or CDN sends it.
        case html
        /// HTTP 200 with the provider's own error or throttling body.
        case errorBody
    }

    public var source: String
    public var kind: Kind
    public var rate: Double
    public var count: Int?

    public init(source: String, kind: Kind, rate: Double = 1, count: Int? = nil) {
        self.source = source
        self.kind = kind
        self.rate = rate
        self.count = count
    }

    /// Parses a spec, or throws a message naming what is wrong and what is allowed.
    public init(spec: String) throws(MockFaultError) {
        let parts = spec.split(separator: ":").map(String.init)
        guard parts.count >= 2, !parts[0].isEmpty else {
            throw MockFaultError("fault '\(spec)': expected SOURCE:KIND[:key=value]…, e.g. binance:429:retry-after=2")
        }
        var options: [String: String] = [:]
        for option in parts.dropFirst(2) {
            let pair = option.split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2 else { throw MockFaultError("fault '\(spec)': option '\(option)' is not key=value") }
            options[pair[0]] = pair[1]
        }
        func int(_ key: String, default value: Int? = nil) throws(MockFaultError) -> Int? {
            guard let text = options.removeValue(forKey: key) else { return value }
            guard let number = Int(text), number >= 0 else { throw MockFaultError("fault '\(spec)': \(key) must be a whole number ≥ 0, got '\(text)'") }
            return number
        }
        source = parts[0]
        switch parts[1] {
        case "429":
            if let date = try int("retry-after-date") {
                kind = .throttle(retryAfterSeconds: date, asDate: true)
            } else {
                kind = .throttle(retryAfterSeconds: try int("retry-after"), asDate: false)
            }
        case "418": kind = .ban(retryAfterSeconds: try int("retry-after", default: 120)!)
        case "5xx":
            let status = try int("status", default: 503)!
            guard (500...599).contains(status) else { throw MockFaultError("fault '\(spec)': status must be 500…599, got \(status)") }
            kind = .serverError(status: status)
        case "latency": kind = .latency(milliseconds: try int("ms", default: 250)!)
        case "hang": kind = .hang(seconds: try int("seconds", default: 30)!)
        case "reset": kind = .reset
        case "truncate": kind = .truncate
        case "malformed": kind = .malformed
        case "html": kind = .html
        case "error-body": kind = .errorBody
        default:
            throw MockFaultError(
                "fault '\(spec)': unknown kind '\(parts[1])'; use 429, 418, 5xx, latency, hang, reset, truncate, malformed, html or error-body")
        }
        if let text = options.removeValue(forKey: "rate") {
            guard let value = Double(text), (0...1).contains(value) else { throw MockFaultError("fault '\(spec)': rate must be 0…1, got '\(text)'") }
            rate = value
        } else {
            rate = 1
        }
        count = try int("count")
        if let extra = options.keys.sorted().first { throw MockFaultError("fault '\(spec)': unknown option '\(extra)'") }
    }

    public var description: String {
        let kindText: String =
            switch kind {
            case .throttle(let seconds, let asDate): "429" + (seconds.map { asDate ? ":retry-after-date=\($0)" : ":retry-after=\($0)" } ?? "")
            case .ban(let seconds): "418:retry-after=\(seconds)"
            case .serverError(let status): "5xx:status=\(status)"
            case .latency(let ms): "latency:ms=\(ms)"
            case .hang(let seconds): "hang:seconds=\(seconds)"
            case .reset: "reset"
            case .truncate: "truncate"
            case .malformed: "malformed"
            case .html: "html"
            case .errorBody: "error-body"
            }
        return "\(source):\(kindText)" + (rate < 1 ? ":rate=\(rate)" : "") + (count.map { ":count=\($0)" } ?? "")
    }
}

/// A fault spec that cannot be used, with the reason.
public struct MockFaultError: Error, Hashable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
