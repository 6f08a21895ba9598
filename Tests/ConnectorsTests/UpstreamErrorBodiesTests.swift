import Connectors
import Testing
import TributaryCore
import TributaryTesting

@Suite struct UpstreamErrorBodiesTests {
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

    @Test(arguments: cases.indices)
    func realErrorBodiesAreReportedForWhatTheyAre(index: Int) throws {
        let c = Self.cases[index]
        let body = try PayloadLoader.load(c.file)
        #expect {
            try UpstreamErrorBodies.check(HTTPResponse(status: c.status, body: body), source: SourceID(c.source))
        } throws: { error in
            (error as? ConnectorError)?.code == c.expected
        }
    }

    @Test func twelveDataErrorWithHTTP200() {
        let body = Array(#"{"code":429,"message":"You have run out of API credits for the current minute.","status":"error"}"#.utf8)
        #expect {
            try UpstreamErrorBodies.check(HTTPResponse(status: 200, body: body), source: "twelvedata")
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
        let source = SourceID(String(file.prefix { $0 != "/" }))
        try UpstreamErrorBodies.check(HTTPResponse(status: 200, body: body), source: source)
    }

    @Test func quotaAndKeyErrorsAreNeitherRetriedNorBreakerFailures() {
        for code in [ConnectorError.Code.quotaExhausted, .rejectedCredential] {
            let error = ConnectorError(code, source: "x", "m")
            #expect(!error.isRetryable)
            #expect(!error.countsAgainstBreaker)
        }
    }
}
