import Connectors
import Testing
import TributaryCore
import TributaryTesting

/// Error answers as each provider sends them, through that provider's connector (its own
/// `…ErrorBody.check`, wired into its decode): the typed error, never "no data".
@Suite struct ProviderErrorBodyTests {
    static let cases: [(file: String, source: String, status: Int, expected: ConnectorError.Code)] = [
        ("alphavantage/rate_limit_note_http200.json", "alphavantage", 200, .throttled(status: 429)),
        ("alphavantage/rate_limit_information_http200.json", "alphavantage", 200, .quotaExhausted),
        ("kraken/error_unknown_asset_pair_http200.json", "kraken", 200, .noData),
        ("coingecko/error_429_rate_limit.json", "coingecko", 200, .throttled(status: 429)),
        ("coingecko/error_429_rate_limit.json", "coingecko", 429, .throttled(status: 429)),
        ("fmp/error_limit_reach.json", "fmp", 200, .quotaExhausted),
        ("finnhub/error_429_api_limit.json", "finnhub", 429, .throttled(status: 429)),
        ("newsapi/error_429_rateLimited.json", "newsapi", 429, .quotaExhausted),
        ("newsapi/error_401_apiKeyInvalid.json", "newsapi", 401, .rejectedCredential),
        ("polygon/error_429_rate_limit.json", "polygon", 429, .throttled(status: 429)),
        ("fred/error_400_api_key_not_registered.json", "fred", 400, .rejectedCredential),
    ]

    /// What the provider's connector makes of `body` with `status` (any endpoint: error answers
    /// are read before the endpoint's data).
    static func decode(_ source: String, status: Int, body: [UInt8]) throws {
        let environment = ConnectorRegistry.sourceIDs.reduce(into: [String: String]()) { keys, id in
            keys[id.rawValue.uppercased() + "_API_KEY"] = "k"
        }
        let connector = try ConnectorRegistry.connector(for: source, environment: environment)
        let endpoint = try #require(connector.endpoints.first?.name)
        _ = try connector.decode(HTTPResponse(status: status, body: body), for: EndpointCall(endpoint, symbols: ["X"]), receivedAt: .now())
    }

    @Test(arguments: cases.indices)
    func realErrorBodiesAreReportedForWhatTheyAre(index: Int) throws {
        let c = Self.cases[index]
        let body = try PayloadLoader.load(c.file)
        #expect {
            try Self.decode(c.source, status: c.status, body: body)
        } throws: { error in
            (error as? ConnectorError)?.code == c.expected
        }
    }

    @Test func twelveDataErrorWithHTTP200() {
        let body = Array(#"{"code":429,"message":"You have run out of API credits for the current minute.","status":"error"}"#.utf8)
        #expect {
            try Self.decode("twelvedata", status: 200, body: body)
        } throws: { error in
            (error as? ConnectorError)?.code == .throttled(status: 429) && !(error as! ConnectorError).countsAgainstBreaker
        }
    }

    @Test(arguments: [
        "binance/ticker_24hr.json", "kraken/ticker_XBTUSDT.json", "coingecko/simple_price_bitcoin_docs_example.json",
        "alphavantage/global_quote_MSFT.json", "twelvedata/quote_AAPL.json", "fred/series_observations_HQMCB10YR.json",
    ])
    func successBodiesPassUntouched(file: String) throws {
        let body = try PayloadLoader.load(file)
        let source = String(file.prefix { $0 != "/" })
        // Whatever the endpoint makes of it, a success body is not read as an error answer.
        do { try Self.decode(source, status: 200, body: body) } catch let error as ConnectorError {
            #expect(![.throttled(status: 429), .quotaExhausted, .rejectedCredential].contains(error.code), "\(error)")
        }
    }

    @Test func quotaAndKeyErrorsAreNeitherRetriedNorBreakerFailures() {
        for code in [ConnectorError.Code.quotaExhausted, .rejectedCredential] {
            let error = ConnectorError(code, source: "x", "m")
            #expect(!error.isRetryable)
            #expect(!error.countsAgainstBreaker)
        }
    }

    /// Each vendor's documented error shapes beyond the captured ones: a rejected key is never
    /// retried, a throttle pauses, anything else is an upstream error with the vendor's words.
    static let documentedShapes: [(source: String, status: Int, body: String, expected: ConnectorError.Code)] = [
        ("alphavantage", 200, #"{"Information": "The **demo** API key is for demo purposes only."}"#, .upstream(status: 200)),
        ("kraken", 200, #"{"error": ["EAPI:Rate limit exceeded"], "result": {}}"#, .throttled(status: 429)),
        ("kraken", 200, #"{"error": ["EAPI:Invalid key"]}"#, .rejectedCredential),
        ("kraken", 200, #"{"error": ["EGeneral:Internal error"]}"#, .upstream(status: 400)),
        ("coingecko", 401, #"{"status": {"error_code": 10002, "error_message": "API Key Missing"}}"#, .rejectedCredential),
        ("coingecko", 500, #"{"status": {"error_code": 500, "error_message": "Internal"}}"#, .upstream(status: 500)),
        ("fmp", 401, #"{"Error Message": "Invalid API KEY. Please retry or visit our documentation."}"#, .rejectedCredential),
        ("fmp", 200, #"{"Error Message": "Something else went wrong"}"#, .upstream(status: 400)),
        ("finnhub", 401, #"{"error": "Invalid API key."}"#, .rejectedCredential),
        ("finnhub", 200, #"{"error": "Wrong resolution"}"#, .upstream(status: 400)),
        ("newsapi", 400, #"{"status": "error", "code": "parametersMissing", "message": "Required parameters are missing."}"#, .upstream(status: 400)),
        ("polygon", 403, #"{"status": "NOT_AUTHORIZED", "message": "You are not entitled to this data."}"#, .rejectedCredential),
        ("polygon", 400, #"{"status": "ERROR", "error": "Could not parse the date"}"#, .upstream(status: 400)),
        ("fred", 429, #"{"error_code": 429, "error_message": "Too Many Requests.  Exceeded Rate Limit"}"#, .throttled(status: 429)),
        ("fred", 500, #"{"error_code": 500, "error_message": "Internal Server Error"}"#, .upstream(status: 500)),
    ]

    @Test(arguments: documentedShapes.indices)
    func documentedErrorShapesAreReportedForWhatTheyAre(index: Int) {
        let c = Self.documentedShapes[index]
        #expect {
            try Self.decode(c.source, status: c.status, body: Array(c.body.utf8))
        } throws: { error in
            guard let error = error as? ConnectorError else { return false }
            return error.code == c.expected && (error.code != .rejectedCredential || !error.isRetryable)
        }
    }
}

/// The Yahoo error object, read from the one parse of the body.
@Suite struct YahooErrorBodyTests {
    @Test func anErrorObjectAndA401AreTyped() throws {
        let connector = YahooConnector()
        let missing = Array(#"{"chart":{"result":null,"error":{"code":"Not Found","description":"No data found, symbol may be delisted"}}}"#.utf8)
        #expect {
            try connector.decode(HTTPResponse(status: 200, body: missing), for: EndpointCall("chart", symbols: ["ZZZZ"]), receivedAt: .now())
        } throws: { ($0 as? ConnectorError)?.code == .noData }
        #expect {
            try connector.decode(HTTPResponse(status: 401, body: Array("Unauthorized".utf8)), for: EndpointCall("quote", symbols: ["AAPL"]), receivedAt: .now())
        } throws: { ($0 as? ConnectorError)?.code == .rejectedCredential && "\($0)".contains("YAHOO_CRUMB") }
    }
}
