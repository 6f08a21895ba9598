import Connectors
import Testing
import TributaryCore

/// Every connector, every endpoint, fed bodies a broken or hostile upstream might send: each
/// must come back as records or a typed `ConnectorError` naming the source — never a crash.
@Suite struct HostileBodiesTests {
    static let bodies: [[UInt8]] = [
        [], Array("null".utf8), Array("[]".utf8), Array("{}".utf8), Array("\"text\"".utf8), Array("42".utf8),
        Array(#"{"result":{"X":{"a":[1]}},"error":[]}"#.utf8), Array(#"[[1,2,3]]"#.utf8), Array(#"[{"symbol":5,"price":[]}]"#.utf8),
        Array(#"{"price":"1e999999","lastPrice":"99999999999999999999999999999999999999999999","closeTime":"x"}"#.utf8),
        Array(String(repeating: "[", count: 100_000).utf8), [0xFF, 0xFE, 0x00, 0x7B], Array("<html><body>502</body></html>".utf8),
        Array(#"{"chart":{"result":[{"timestamp":[1,2],"indicators":{"quote":[{"open":[1]}]}}]}}"#.utf8),
        Array(#"{"observations":[{"date":1,"value":{}}]}"#.utf8), Array(#"{"s":"ok","t":[1],"o":[],"h":[],"l":[],"c":[],"v":[]}"#.utf8),
    ]

    static var connectors: [any Connector] {
        ConnectorRegistry.sourceIDs.compactMap { id in
            try? ConnectorRegistry.connector(
                for: id.rawValue,
                environment: [
                    "BINANCE_API_KEY": "k", "BINANCE_API_SECRET": "s", "FINNHUB_API_KEY": "k", "ALPHAVANTAGE_API_KEY": "k", "POLYGON_API_KEY": "k",
                    "TWELVEDATA_API_KEY": "k", "FMP_API_KEY": "k", "TIINGO_API_KEY": "k", "FRED_API_KEY": "k", "NEWSAPI_API_KEY": "k",
                ])
        }
    }

    @Test func noBodyCrashesAnyDecoder() {
        let now = UTCTimestamp.now()
        var typedErrors = 0
        for connector in Self.connectors {
            for endpoint in connector.endpoints {
                for status in [200, 400, 429, 500] {
                    for body in Self.bodies {
                        do {
                            _ = try connector.decode(
                                HTTPResponse(status: status, body: body), for: EndpointCall(endpoint.name, symbols: ["BTCUSDT"]), receivedAt: now)
                        } catch {
                            #expect(error.source == connector.id, "\(connector.id).\(endpoint.name)")
                            #expect(!error.message.isEmpty)
                            typedErrors += 1
                        }
                    }
                }
            }
        }
        #expect(Self.connectors.count == ConnectorRegistry.sourceIDs.count)
        #expect(typedErrors > 1_000)
    }

    @Test func everyEndpointBuildsARequestOrSaysWhy() {
        for connector in Self.connectors {
            for endpoint in connector.endpoints {
                do {
                    let request = try connector.request(for: EndpointCall(endpoint.name, symbols: ["AAPL"]), at: .now())
                    #expect(request.url.hasPrefix(connector.baseURL), "\(connector.id).\(endpoint.name)")
                } catch {
                    #expect(error.code == .invalidArgument || error.code == .missingCredential, "\(connector.id).\(endpoint.name): \(error)")
                }
            }
        }
    }

    @Test func yahooChartRequest() throws {
        let request = try YahooConnector(baseURL: "http://h").request(
            for: EndpointCall("chart", symbols: ["aapl"], parameters: ["interval": "1h", "range": "5d"]), at: .now())
        #expect(request.url == "http://h/v8/finance/chart/AAPL?interval=1h&range=5d&includePrePost=false")
        #expect(throws: ConnectorError.self) {
            try YahooConnector().request(for: EndpointCall("chart", symbols: ["AAPL"], parameters: ["range": "7y"]), at: .now())
        }
    }
}
