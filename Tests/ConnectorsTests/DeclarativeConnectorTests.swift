import Connectors
import Testing
import TributaryCore

@Suite struct DeclarativeConnectorTests {
    static let file = """
        id: examplex
        connector: declarative
        base_url: http://127.0.0.1:9
        auth: { kind: query, key_env: EXAMPLEX_KEY, name: token }
        endpoints:
          ticker:
            path: /v1/ticker/{symbol}
            query: { currency: usd }
            kind: quote
            records: data
            symbol_field: pair
            time_field: ts
            time_format: epoch_ms
            fields: { last: price, bid: book.bid, ask: book.ask, volume: vol }
          candles:
            path: /v1/candles
            query: { market: "{symbol}" }
            kind: bar
            interval: 1h
            records: result.rows
            time_field: t
            time_format: local:America/New_York
            fields: { open: o, high: h, low: l, close: c, volume: v }
        """

    func definition() throws -> SourceDefinition {
        let (definition, problems) = SourceDefinitionLoader.parse(Self.file, file: "examplex.yaml", knownConnectors: ConnectorRegistry.knownConnectors)
        #expect(problems.isEmpty, "\(problems)")
        return try #require(definition)
    }

    @Test func requestsAndQuotesFromTheFileAlone() throws {
        let connector = try ConnectorRegistry.connector(for: "examplex", definition: try definition(), environment: ["EXAMPLEX_KEY": "xk"])
        #expect(connector.endpoints.map(\.name) == ["candles", "ticker"])
        let request = try connector.request(for: EndpointCall("ticker", symbols: ["BTC-USD"]), at: .now())
        #expect(request.url == "http://127.0.0.1:9/v1/ticker/BTC-USD?currency=usd&token=xk")
        let body = #"{"data":{"pair":"BTC-USD","price":67187.3358936566,"book":{"bid":"67187.1","ask":"67187.6"},"vol":"12.5","ts":1711356300000}}"#
        let records = try connector.decode(
            HTTPResponse(status: 200, body: Array(body.utf8)), for: EndpointCall("ticker", symbols: ["BTC-USD"]), receivedAt: .now())
        guard case .quote(let q) = records.first?.payload else { Issue.record("quote"); return }
        #expect(records[0].symbol == "BTC-USD" && records[0].source == "examplex")
        #expect(q.last?.description == "67187.3358936566" && q.bid?.description == "67187.1" && q.ask?.description == "67187.6")
        #expect(q.asOf.rfc3339 == "2024-03-25T08:45:00.000Z")
    }

    @Test func barsWithLocalTimesAndTypedErrors() throws {
        let connector = try ConnectorRegistry.connector(for: "examplex", definition: try definition(), environment: ["EXAMPLEX_KEY": "xk"])
        let call = EndpointCall("candles", symbols: ["AAPL"])
        #expect(try connector.request(for: call, at: .now()).url == "http://127.0.0.1:9/v1/candles?market=AAPL&token=xk")
        let body = #"{"result":{"rows":[{"t":"2023-08-24 11:09:00","o":"177.91","h":"178.02","l":"177.91","c":"178.00","v":293189}]}}"#
        let records = try connector.decode(HTTPResponse(status: 200, body: Array(body.utf8)), for: call, receivedAt: .now())
        guard case .bar(let b) = records.first?.payload else { Issue.record("bar"); return }
        #expect(b.start.rfc3339 == "2023-08-24T15:09:00.000Z" && b.interval == "1h" && b.close.description == "178.00" && b.volume?.description == "293189")
        let bad = #"{"result":{"rows":[{"t":"2023-08-24 11:09:00","o":"n/a","h":"1","l":"1","c":"1"}]}}"#
        #expect { try connector.decode(HTTPResponse(status: 200, body: Array(bad.utf8)), for: call, receivedAt: .now()) } throws: { error in
            (error as? ConnectorError)?.code == .decode && "\(error)".contains("'o' (open)")
        }
        #expect { try ConnectorRegistry.connector(for: "examplex", definition: try definition(), environment: [:]).request(for: call, at: .now()) } throws: {
            error in
            (error as? ConnectorError)?.code == .missingCredential && "\(error)".contains("EXAMPLEX_KEY")
        }
    }

    @Test func symbolsMapTheCanonicalSymbolToTheVenuesFormAndBack() throws {
        let text = """
            id: venuex
            connector: declarative
            base_url: http://h
            symbols: { BTC-USDT: btcusdt, ETH-USDT: ethusdt }
            endpoints:
              ticker:
                path: /ticker/{symbol}
                kind: quote
                records: data
                symbol_field: s
                time_field: t
                time_format: epoch_ms
                fields: { last: p }
            """
        let (parsed, problems) = SourceDefinitionLoader.parse(text, file: "v.yaml", knownConnectors: ConnectorRegistry.knownConnectors)
        #expect(problems.isEmpty, "\(problems)")
        let connector = try ConnectorRegistry.connector(for: "venuex", definition: parsed, environment: [:])
        let call = EndpointCall("ticker", symbols: ["BTC-USDT"])
        #expect(try connector.request(for: call, at: .now()).url == "http://h/ticker/btcusdt")
        let body = #"{"data":{"s":"btcusdt","p":"95000.5","t":1711356300000}}"#
        let records = try connector.decode(HTTPResponse(status: 200, body: Array(body.utf8)), for: call, receivedAt: .now())
        #expect(records.first?.symbol == "BTC-USDT" && records.first?.venueSymbol == "btcusdt")
        // A venue symbol mapped twice, and `symbols:` on a connector that knows its venue, are refused.
        let twice = SourceDefinitionLoader.parse(
            "id: x\nconnector: declarative\nbase_url: http://h\nsymbols: { A-B: ab, C-D: ab }\n",
            file: "x.yaml", knownConnectors: ConnectorRegistry.knownConnectors
        ).1
        #expect(twice.contains { $0.message.contains("'ab' is the venue's form of both") })
        let binance = SourceDefinitionLoader.parse(
            "id: binance\nsymbols: { BTC-USDT: BTCUSDT }\n", file: "b.yaml", knownConnectors: ConnectorRegistry.knownConnectors
        ).1
        #expect(binance.contains { $0.message.contains("declarative sources only") })
    }

    /// `{symbol}` is the only placeholder; `$symbol` and friends would be sent as written.
    @Test func placeholdersOtherThanSymbolAreRefusedWhereTheyAre() {
        let text = """
            id: placeholders
            connector: declarative
            base_url: http://x
            endpoints:
              dollar:
                path: /v1/ticker/$symbol
                kind: quote
                time_field: t
                fields: { last: p }
              named:
                path: /v1/ticker
                query: { pair: "{ticker}", n: "{{symbol}}" }
                kind: quote
                time_field: t
                fields: { last: p }
              fine:
                path: /v1/{symbol}/ticker
                query: { market: "{symbol}" }
                kind: quote
                time_field: t
                fields: { last: p }
            """
        let (_, problems) = SourceDefinitionLoader.parse(text, file: "p.yaml", knownConnectors: ConnectorRegistry.knownConnectors)
        let messages = problems.map(\.description)
        #expect(problems.count == 3, "\(messages)")
        #expect(messages.contains { $0.contains("p.yaml:6:") && $0.contains("'$symbol' would be sent to the provider as written") })
        #expect(messages.contains { $0.contains("p.yaml:12:") && $0.contains("unknown placeholder '{ticker}'") })
        #expect(messages.contains { $0.contains("p.yaml:12:") && $0.contains("'{{…}}'") })
        #expect(DeclarativeEndpoint.placeholderProblem("/a/{symbol}/b?x={symbol}") == nil)
        #expect(DeclarativeEndpoint.placeholderProblem("/a/{symbol") != nil)
        #expect(DeclarativeEndpoint.placeholderProblem("/a/symbol}") != nil)
        #expect(DeclarativeEndpoint.placeholderProblem("/a/${symbol}") != nil)
    }

    @Test func mistakesInADeclarativeFileAreLocated() {
        let text = """
            id: broken
            connector: declarative
            base_url: http://x
            endpoints:
              ticker:
                path: v1/ticker
                kind: quote
              bars:
                path: /bars
                kind: bar
                time_field: t
                time_format: epoch_fortnights
                fields: { open: o, hihg: h }
            """
        let (_, problems) = SourceDefinitionLoader.parse(text, file: "broken.yaml", knownConnectors: ConnectorRegistry.knownConnectors)
        let messages = problems.map(\.description)
        #expect(messages.contains { $0.contains("broken.yaml:6:") && $0.contains("needs a `path` starting with /") })
        #expect(messages.contains { $0.contains("time_format 'epoch_fortnights'") })
        #expect(messages.contains { $0.contains("'hihg' is not a bar field") && $0.contains("did you mean 'high'") })
        #expect(messages.contains { $0.contains("needs 'close'") })
        #expect(messages.contains { $0.contains("needs `interval`") })
    }
}
