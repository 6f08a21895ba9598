import Connectors
import Testing
import TributaryCore
import TributaryTesting

@Suite struct BinanceTickerTests {
    let binance = BinanceConnector(baseURL: "http://127.0.0.1:9/")
    let received = UTCTimestamp(secondsSinceEpoch: 1_800_000_000)!

    func decimal(_ text: String) -> ExactDecimal { try! ExactDecimal(parsing: text) }

    @Test func sampleDecodesToTheDocumentedMeaning() throws {
        let body = try PayloadLoader.load("binance/ticker_24hr.json")
        let records = try binance.decode(HTTPResponse(status: 200, body: body), for: "ticker", receivedAt: received)
        #expect(records.count == 1)
        let record = try #require(records.first)
        #expect(record.source == "binance")
        #expect(record.venueSymbol == "BNBBTC")
        #expect(record.symbol == "BNB-BTC")
        guard case .quote(let quote) = record.payload else {
            Issue.record("expected a quote, got \(record.kind)")
            return
        }
        #expect(quote.last?.description == "4.00000200")
        #expect(quote.bid?.description == "4.00000000")
        #expect(quote.ask?.description == "4.00000200")
        #expect(quote.open?.description == "99.00000000")
        #expect(quote.high?.description == "100.00000000")
        #expect(quote.low?.description == "0.10000000")
        #expect(quote.volume?.description == "8913.30000000")
        #expect(quote.quoteVolume?.description == "15.30000000")
        #expect(quote.change?.description == "-94.99999800")
        #expect(quote.changePercent == decimal("-95.960"))
        #expect(quote.asOf.rfc3339 == "2017-07-12T14:31:39.040Z")
    }

    @Test func arrayFormGivesOneQuotePerSymbol() throws {
        let body = try PayloadLoader.load("binance/ticker_24hr.json")
        let array = Array("[".utf8) + body + Array(",".utf8) + body + Array("]".utf8)
        let records = try binance.decode(HTTPResponse(status: 200, body: array), for: "ticker", receivedAt: received)
        #expect(records.count == 2)
    }

    @Test func requestUsesVenueSpellingAndTheBaseURL() throws {
        let one = try binance.request(for: "ticker", symbols: ["BTC-USDT"], at: received)
        #expect(one.url == "http://127.0.0.1:9/api/v3/ticker/24hr?symbol=BTCUSDT")
        let many = try binance.request(for: "ticker", symbols: ["btcusdt", "ETH/USDT"], at: received)
        #expect(many.url == "http://127.0.0.1:9/api/v3/ticker/24hr?symbols=%5B%22BTCUSDT%22%2C%22ETHUSDT%22%5D")
        #expect(one.method == .get)
    }

    @Test func missingOrMalformedSymbolsAreNamed() {
        #expect { try binance.request(for: "ticker", symbols: [], at: received) } throws: { error in
            (error as? ConnectorError)?.code == .invalidArgument && "\(error)".contains("--symbol")
        }
        #expect { try binance.request(for: "ticker", symbols: ["BTC USDT!"], at: received) } throws: { error in
            (error as? ConnectorError)?.code == .invalidArgument && "\(error)".contains("BTC USDT!")
        }
        #expect { try binance.request(for: "candles", symbols: ["BTCUSDT"], at: received) } throws: { error in
            (error as? ConnectorError)?.code == .unknownEndpoint && "\(error)".contains("available: ticker")
        }
    }

    @Test func regionBlockIsNotRetryableAndSaysSo() throws {
        let body = try PayloadLoader.load("binance/error_451_restricted_location.json")
        #expect { try binance.decode(HTTPResponse(status: 451, body: body), for: "ticker", receivedAt: received) } throws: { error in
            guard let error = error as? ConnectorError else { return false }
            return error.code == .upstream(status: 451) && !error.isRetryable && error.message.contains("region")
        }
    }

    @Test func invalidSymbolIsNoDataNotAPrice() throws {
        let body = try PayloadLoader.load("binance/error_invalid_symbol.json")
        #expect { try binance.decode(HTTPResponse(status: 400, body: body), for: "ticker", receivedAt: received) } throws: { error in
            guard let error = error as? ConnectorError else { return false }
            return error.code == .noData && error.message.contains("-1121")
        }
    }

    @Test func throttlingIsRetryableButNotABreakerFailure() {
        let response = HTTPResponse(status: 429, body: Array(#"{"code":-1003,"msg":"Too many requests."}"#.utf8))
        #expect { try binance.decode(response, for: "ticker", receivedAt: received) } throws: { error in
            guard let error = error as? ConnectorError else { return false }
            return error.code == .throttled(status: 429) && error.isRetryable && !error.countsAgainstBreaker
        }
    }

    @Test func wrongShapeNamesTheField() {
        let response = HTTPResponse(status: 200, body: Array(#"{"symbol":"BTCUSDT","closeTime":1,"lastPrice":95000.5}"#.utf8))
        let records = try? binance.decode(response, for: "ticker", receivedAt: received)
        // A JSON number is still an exact decimal: accepted.
        #expect(records?.count == 1)
        let bad = HTTPResponse(status: 200, body: Array(#"{"symbol":"BTCUSDT","closeTime":1,"lastPrice":"n/a"}"#.utf8))
        #expect { try binance.decode(bad, for: "ticker", receivedAt: received) } throws: { error in
            (error as? ConnectorError)?.code == .decode && "\(error)".contains("'lastPrice'")
        }
        let truncated = HTTPResponse(status: 200, body: Array(#"{"symbol":"BTC"#.utf8))
        #expect { try binance.decode(truncated, for: "ticker", receivedAt: received) } throws: { error in
            (error as? ConnectorError)?.code == .decode && "\(error)".contains("byte")
        }
    }

    @Test func registryHonoursOverridesInOrder() throws {
        let env = ["TRIBUTARY_BINANCE_BASE_URL": "http://127.0.0.1:7000"]
        let fromEnv = try ConnectorRegistry.connector(for: "binance", environment: env)
        #expect(try fromEnv.request(for: "ticker", symbols: ["BTCUSDT"], at: received).url.hasPrefix("http://127.0.0.1:7000/"))
        let fromFlag = try ConnectorRegistry.connector(for: "binance", baseURL: "http://127.0.0.1:7001", environment: env)
        #expect(try fromFlag.request(for: "ticker", symbols: ["BTCUSDT"], at: received).url.hasPrefix("http://127.0.0.1:7001/"))
        #expect(throws: ConnectorError.self) { try ConnectorRegistry.connector(for: "nosuch") }
    }
}
