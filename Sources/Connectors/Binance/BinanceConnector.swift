import TributaryCore

/// Binance Spot's REST API (`https://api.binance.com`).
///
/// The exemplar connector: copy this folder's shape (connector, one reader per response
/// shape, errors, symbols, signing) when adding a source. Endpoints: `ticker` (24 h
/// statistics), `price` (last price), `klines` (bars), `agg-trades` (trades), `depth` (order book) and `account`
/// (balances, a SIGNED call needing `BINANCE_API_KEY` and `BINANCE_API_SECRET`).
public struct BinanceConnector: Connector {
    public let id: SourceID = "binance"
    public var baseURL: String
    public var connectTimeout: Duration
    public var totalTimeout: Duration
    /// Credentials for signed endpoints; nil when not configured.
    public var credentials: BinanceCredentials?
    /// `recvWindow` of signed calls, in milliseconds (Binance's default is 5000).
    public var receiveWindowMilliseconds = 5_000

    public static let defaultBaseURL = "https://api.binance.com"
    public static let intervals: Set<String> = ["1s", "1m", "3m", "5m", "15m", "30m", "1h", "2h", "4h", "6h", "8h", "12h", "1d", "3d", "1w", "1M"]

    public init(
        baseURL: String = BinanceConnector.defaultBaseURL, credentials: BinanceCredentials? = nil,
        connectTimeout: Duration = .seconds(2), totalTimeout: Duration = .seconds(10)
    ) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.credentials = credentials
        self.connectTimeout = connectTimeout
        self.totalTimeout = totalTimeout
    }

    public var endpoints: [EndpointDescription] {
        [
            EndpointDescription(name: "ticker", kind: .quote, needsSymbol: true, summary: "24 h rolling statistics (GET /api/v3/ticker/24hr)"),
            EndpointDescription(name: "price", kind: .quote, needsSymbol: false, summary: "last price (GET /api/v3/ticker/price); no symbol = every pair"),
            EndpointDescription(
                name: "klines", kind: .bar, needsSymbol: true, summary: "candles (GET /api/v3/klines)",
                parameters: ["interval": "1m", "limit": "100", "start": "", "end": ""]),
            EndpointDescription(
                name: "agg-trades", kind: .trade, needsSymbol: true, summary: "aggregate trades (GET /api/v3/aggTrades); start/end at most 1 h apart",
                parameters: ["limit": "500", "start": "", "end": ""]),
            EndpointDescription(name: "depth", kind: .book, needsSymbol: true, summary: "order book (GET /api/v3/depth)", parameters: ["limit": "100"]),
            EndpointDescription(
                name: "account", kind: .balance, needsSymbol: false, summary: "balances, SIGNED (GET /api/v3/account)",
                credentials: ["BINANCE_API_KEY", "BINANCE_API_SECRET"]),
        ]
    }

    public func request(for call: EndpointCall, at now: UTCTimestamp) throws(ConnectorError) -> HTTPRequest {
        let description = try describe(call.endpoint)
        try ConnectorSupport.checkParameters(call, allowed: description.parameters, source: id)
        let venue = try call.symbols.map { (symbol) throws(ConnectorError) in try BinanceSymbols.venueSymbol(for: symbol) }
        if description.needsSymbol, venue.isEmpty {
            throw ConnectorError(.invalidArgument, source: id, "\(call.endpoint) needs --symbol (e.g. BTCUSDT or BTC-USDT)")
        }
        switch call.endpoint {
        case "ticker":
            return get("/api/v3/ticker/24hr", venue.count == 1 ? "symbol=\(venue[0])" : "symbols=" + BinanceSymbols.jsonArrayQuery(venue))
        case "price":
            switch venue.count {
            case 0: return get("/api/v3/ticker/price", nil)
            case 1: return get("/api/v3/ticker/price", "symbol=\(venue[0])")
            default: return get("/api/v3/ticker/price", "symbols=" + BinanceSymbols.jsonArrayQuery(venue))
            }
        case "klines":
            try single(venue, call.endpoint)
            let interval = call.parameters["interval"] ?? "1m"
            guard Self.intervals.contains(interval) else {
                throw ConnectorError(
                    .invalidArgument, source: id, "interval '\(interval)' is not one of Binance's: \(Self.intervals.sorted().joined(separator: " "))")
            }
            var query = "symbol=\(venue[0])&interval=\(interval)&limit=\(try limit(call, default: 100, max: 1_000))"
            if let start = call.parameters["start"] { query += "&startTime=\(try milliseconds(start, "start"))" }
            if let end = call.parameters["end"] { query += "&endTime=\(try milliseconds(end, "end"))" }
            return get("/api/v3/klines", query)
        case "agg-trades":
            try single(venue, call.endpoint)
            var query = "symbol=\(venue[0])&limit=\(try limit(call, default: 500, max: 1_000))"
            if let start = call.parameters["start"] { query += "&startTime=\(try milliseconds(start, "start"))" }
            if let end = call.parameters["end"] { query += "&endTime=\(try milliseconds(end, "end"))" }
            return get("/api/v3/aggTrades", query)
        case "depth":
            try single(venue, call.endpoint)
            return get("/api/v3/depth", "symbol=\(venue[0])&limit=\(try limit(call, default: 100, max: 5_000))")
        case "account":
            guard let credentials else {
                throw ConnectorError(.missingCredential, source: id, "account is a signed endpoint: set BINANCE_API_KEY and BINANCE_API_SECRET")
            }
            let query = "omitZeroBalances=true&recvWindow=\(receiveWindowMilliseconds)&timestamp=\(now.millisecondsSinceEpoch)"
            let signature = BinanceSigner.signature(of: query, secret: credentials.secret)
            var request = get("/api/v3/account", query + "&signature=" + signature)
            request.headers.add(name: "X-MBX-APIKEY", value: credentials.apiKey)
            return request
        default:
            throw ConnectorError(.unknownEndpoint, source: id, "unknown endpoint '\(call.endpoint)'")
        }
    }

    public func decode(_ response: HTTPResponse, for call: EndpointCall, receivedAt: UTCTimestamp) throws(ConnectorError) -> [Record] {
        try BinanceErrors.check(response, source: id)
        // Read once; klines, tickers and prices are read off the tape, the other answers as a tree built from it.
        let tape: JSONTape
        do {
            tape = try JSONTape(parsing: response.body)
        } catch {
            throw ConnectorError(.decode, source: id, "\(call.endpoint): \(error)")
        }
        if call.endpoint == "klines" {
            let symbol = try BinanceSymbols.venueSymbol(for: call.symbols.first ?? "")
            return try BinanceKlines.records(from: tape, source: id, venueSymbol: symbol, interval: call.parameters["interval"] ?? "1m")
        }
        switch call.endpoint {
        case "ticker": return try BinanceTicker.records(from: tape, source: id, endpoint: call.endpoint)
        case "price": return try BinancePrice.records(from: tape, source: id, receivedAt: receivedAt)
        default: break
        }
        let json = tape.value(at: tape.root)
        switch call.endpoint {
        case "agg-trades":
            let symbol = try BinanceSymbols.venueSymbol(for: call.symbols.first ?? "")
            return try BinanceAggTrades.records(from: json, source: id, venueSymbol: symbol)
        case "depth":
            let symbol = try BinanceSymbols.venueSymbol(for: call.symbols.first ?? "")
            return try BinanceDepth.records(from: json, source: id, venueSymbol: symbol, receivedAt: receivedAt)
        case "account": return try BinanceAccount.records(from: json, source: id)
        default: throw ConnectorError(.unknownEndpoint, source: id, "unknown endpoint '\(call.endpoint)'")
        }
    }

    // MARK: Request helpers

    private func get(_ path: String, _ query: String?) -> HTTPRequest {
        HTTPRequest(
            url: baseURL + path + (query.map { "?" + $0 } ?? ""), headers: ["Accept": "application/json"],
            connectTimeout: connectTimeout, totalTimeout: totalTimeout
        )
    }

    private func single(_ venue: [String], _ endpoint: String) throws(ConnectorError) {
        guard venue.count == 1 else {
            throw ConnectorError(.invalidArgument, source: id, "\(endpoint) takes exactly one --symbol, got \(venue.count)")
        }
    }

    private func limit(_ call: EndpointCall, default value: Int, max: Int) throws(ConnectorError) -> Int {
        guard let text = call.parameters["limit"] else { return value }
        guard let number = Int(text), (1...max).contains(number) else {
            throw ConnectorError(.invalidArgument, source: id, "limit must be 1…\(max), got '\(text)'")
        }
        return number
    }

    /// Accepts epoch milliseconds or an RFC 3339 time.
    private func milliseconds(_ text: String, _ name: String) throws(ConnectorError) -> Int64 {
        if let ms = Int64(text) { return ms }
        if let time = UTCTimestamp(rfc3339: text) { return time.millisecondsSinceEpoch }
        throw ConnectorError(.invalidArgument, source: id, "\(name) must be epoch milliseconds or an RFC 3339 time such as 2024-01-02T00:00:00Z, got '\(text)'")
    }
}

/// A Binance API key and secret, read from the environment; never printed.
public struct BinanceCredentials: Sendable, Hashable, CustomStringConvertible {
    public let apiKey: String
    public let secret: String

    public init(apiKey: String, secret: String) {
        self.apiKey = apiKey
        self.secret = secret
    }

    /// Both `BINANCE_API_KEY` and `BINANCE_API_SECRET`, or nil.
    public init?(environment: [String: String]) {
        guard let key = environment["BINANCE_API_KEY"], !key.isEmpty, let secret = environment["BINANCE_API_SECRET"], !secret.isEmpty
        else { return nil }
        self.init(apiKey: key, secret: secret)
    }

    public var description: String { "BinanceCredentials(apiKey: REDACTED, secret: REDACTED)" }
}
