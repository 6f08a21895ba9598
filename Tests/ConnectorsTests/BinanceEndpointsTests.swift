import Connectors
import Testing
import TributaryCore
import TributaryTesting

@Suite struct BinanceEndpointsTests {
    let received = UTCTimestamp(rfc3339: "2021-10-12T00:28:32.320Z")!
    let credentials = BinanceCredentials(
        apiKey: "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A",
        secret: "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j")

    func decode(_ file: String, _ call: EndpointCall) throws -> [Record] {
        try BinanceConnector().decode(HTTPResponse(status: 200, body: try PayloadLoader.load(file)), for: call, receivedAt: received)
    }

    @Test func priceArrayHasNoTimeSoAsOfIsReceipt() throws {
        let records = try decode("binance/ticker_price_multi.json", EndpointCall("price"))
        #expect(records.map(\.venueSymbol) == ["LTCBTC", "ETHBTC"])
        #expect(records.map(\.symbol) == ["LTC-BTC", "ETH-BTC"])
        guard case .quote(let ltc) = records[0].payload, case .quote(let eth) = records[1].payload else { Issue.record("quotes"); return }
        #expect(ltc.last?.description == "4.00000200")
        #expect(eth.last?.description == "0.07946600")
        #expect(ltc.asOf == received)
    }

    @Test func aggTradesDocsSample() throws {
        // The example of Binance's aggTrades documentation.
        let body = #"[{"a": 26129, "p": "0.01633102", "q": "4.70443515", "f": 27781, "l": 27781, "T": 1498793709153, "m": true, "M": true}]"#
        let call = EndpointCall("agg-trades", symbols: ["LTCBTC"], parameters: ["start": "2017-06-30T03:35:00Z", "limit": "10"])
        let request = try BinanceConnector().request(for: call, at: received)
        #expect(request.url == "https://api.binance.com/api/v3/aggTrades?symbol=LTCBTC&limit=10&startTime=1498793700000")
        let records = try BinanceConnector().decode(HTTPResponse(status: 200, body: Array(body.utf8)), for: call, receivedAt: received)
        guard case .trade(let trade)? = records.first?.payload else { Issue.record("trade"); return }
        #expect(records.first?.symbol == "LTC-BTC" && trade.tradeID == "26129" && trade.time.rfc3339 == "2017-06-30T03:35:09.153Z")
        #expect(trade.price.description == "0.01633102" && trade.size.description == "4.70443515" && trade.side == .sell)
        let broken = #"[{"a": 1, "p": "1", "q": "1", "T": 1498793709153, "m": "yes"}]"#
        #expect(throws: ConnectorError.self) {
            try BinanceConnector().decode(HTTPResponse(status: 200, body: Array(broken.utf8)), for: call, receivedAt: received)
        }
        #expect(throws: ConnectorError.self) {
            try BinanceConnector().request(for: EndpointCall("agg-trades", symbols: ["LTCBTC"], parameters: ["limit": "1001"]), at: received)
        }
    }

    @Test func klinesDocsSample() throws {
        let records = try decode("binance/klines_docs.json", EndpointCall("klines", symbols: ["LTCBTC"], parameters: ["interval": "1w"]))
        #expect(records.count == 1)
        guard case .bar(let bar) = records[0].payload else { Issue.record("bar"); return }
        #expect(bar.start.rfc3339 == "2017-07-03T00:00:00.000Z")
        #expect(bar.interval == "1w")
        #expect(bar.open.description == "0.01634790")
        #expect(bar.high.description == "0.80000000")
        #expect(bar.low.description == "0.01575800")
        #expect(bar.close.description == "0.01577100")
        #expect(bar.volume?.description == "148976.11427815")
        #expect(bar.trades == 308)
    }

    @Test func firstEverBNBBTCBarWithANonZeroIgnoreField() throws {
        let records = try decode("binance/klines_BNBBTC_1m_first.json", EndpointCall("klines", symbols: ["BNBBTC"], parameters: ["interval": "1m"]))
        guard case .bar(let bar) = records.first?.payload else { Issue.record("bar"); return }
        #expect(records[0].symbol == "BNB-BTC")
        #expect(bar.start.rfc3339 == "2017-07-14T04:00:00.000Z")
        #expect(bar.open.description == "0.00005000")
        #expect(bar.high.description == "0.00005300")
        #expect(bar.low.description == "0.00001000")
        #expect(bar.close.description == "0.00004790")
        #expect(bar.volume?.description == "663152.00000000")
        #expect(bar.trades == 43)
    }

    @Test func depthLevelsBestFirst() throws {
        let records = try decode("binance/depth_NKNUSDT_trimmed.json", EndpointCall("depth", symbols: ["NKNUSDT"]))
        guard case .book(let book) = records.first?.payload else { Issue.record("book"); return }
        #expect(records[0].symbol == "NKN-USDT")
        #expect(book.bids.count == 5 && book.asks.count == 5)
        #expect(book.bids[0].price.description == "0.35210000" && book.bids[0].size.description == "672.00000000")
        #expect(book.asks[0].price.description == "0.35250000" && book.asks[0].size.description == "3959.00000000")
        #expect(book.bids.map(\.price) == book.bids.map(\.price).sorted(by: >))
        #expect(book.asks.map(\.price) == book.asks.map(\.price).sorted())
        #expect(book.asOf == received)
    }

    @Test func accountBalances() throws {
        let records = try decode("binance/account.json", EndpointCall("account"))
        #expect(records.count == 2)
        guard case .balance(let btc) = records[0].payload, case .balance(let ltc) = records[1].payload else { Issue.record("balances"); return }
        #expect(btc.asset == "BTC" && btc.free.description == "4723846.89208129" && btc.locked.description == "0.00000000")
        #expect(ltc.asset == "LTC" && ltc.free.description == "4763368.68006011")
    }

    @Test(arguments: [
        (
            "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559",
            "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71"
        ),
        (
            "symbol=%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559",
            "e1353ec6b14d888f1164ae9af8228a3dbd508bc82eb867db8ab6046442f33ef3"
        ),
        (
            "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTCquantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559",
            "0fd168b8ddb4876a0358a8d14d0c9f3da0e9b20c5d52b2a00fcf7d1c602f9a77"
        ),
    ])
    func officialSignatureVectors(payload: String, signature: String) {
        #expect(BinanceSigner.signature(of: payload, secret: credentials.secret) == signature)
    }

    @Test func accountRequestIsSignedAndCarriesTheKeyHeader() throws {
        let binance = BinanceConnector(baseURL: "http://127.0.0.1:1", credentials: credentials)
        let request = try binance.request(for: EndpointCall("account"), at: UTCTimestamp(millisecondsSinceEpoch: 1_499_827_319_559)!)
        let query = "omitZeroBalances=true&recvWindow=5000&timestamp=1499827319559"
        #expect(request.url == "http://127.0.0.1:1/api/v3/account?\(query)&signature=\(BinanceSigner.signature(of: query, secret: credentials.secret))")
        #expect(request.headers["X-MBX-APIKEY"] == credentials.apiKey)
        #expect(!"\(credentials)".contains(credentials.secret))
        #expect(SourceURIRedactor.redact(request.url).hasSuffix("signature=REDACTED"))
    }

    @Test func missingKeysNameTheVariables() {
        #expect { try BinanceConnector().request(for: EndpointCall("account"), at: received) } throws: { error in
            guard let error = error as? ConnectorError else { return false }
            return error.code == .missingCredential && error.message.contains("BINANCE_API_KEY") && error.message.contains("BINANCE_API_SECRET")
        }
        #expect(BinanceCredentials(environment: ["BINANCE_API_KEY": "k"]) == nil)
    }

    @Test func klinesRequestParametersAreValidated() throws {
        let binance = BinanceConnector(baseURL: "http://h")
        let request = try binance.request(
            for: EndpointCall("klines", symbols: ["BTC-USDT"], parameters: ["interval": "1h", "limit": "3", "start": "2024-01-02T00:00:00Z"]), at: received)
        #expect(request.url == "http://h/api/v3/klines?symbol=BTCUSDT&interval=1h&limit=3&startTime=1704153600000")
        #expect(throws: ConnectorError.self) {
            try binance.request(for: EndpointCall("klines", symbols: ["BTCUSDT"], parameters: ["interval": "2m"]), at: received)
        }
        #expect(throws: ConnectorError.self) {
            try binance.request(for: EndpointCall("klines", symbols: ["BTCUSDT"], parameters: ["limit": "5000"]), at: received)
        }
        #expect(throws: ConnectorError.self) {
            try binance.request(for: EndpointCall("klines", symbols: ["BTCUSDT"], parameters: ["colour": "red"]), at: received)
        }
        #expect(throws: ConnectorError.self) { try binance.request(for: EndpointCall("depth", symbols: ["BTCUSDT", "ETHUSDT"]), at: received) }
        #expect(try binance.request(for: EndpointCall("price"), at: received).url == "http://h/api/v3/ticker/price")
    }

    @Test func badDataGivesTypedErrorsNamingTheField() {
        let cases: [(String, EndpointCall, String)] = [
            (#"[[1499040000000,"x","0.8","0.01","0.02","1",1499644799999,"1",3,"1","1","0"]]"#, EndpointCall("klines", symbols: ["LTCBTC"]), "open"),
            (#"[["t","1","1","1","1","1",1,"1",3]]"#, EndpointCall("klines", symbols: ["LTCBTC"]), "open time"),
            (#"{"lastUpdateId":1,"bids":[["1"]],"asks":[]}"#, EndpointCall("depth", symbols: ["NKNUSDT"]), "bids[0]"),
            (#"{"balances":[{"asset":"BTC","free":"99999999999999999999999999999999999999999","locked":"0"}]}"#, EndpointCall("account"), "'free'"),
            (#"{"symbol":"LTCBTC","price":null}"#, EndpointCall("price"), "'price'"),
        ]
        for (body, call, field) in cases {
            #expect {
                try BinanceConnector().decode(HTTPResponse(status: 200, body: Array(body.utf8)), for: call, receivedAt: received)
            } throws: { error in
                guard let error = error as? ConnectorError else { return false }
                return error.code == .decode && error.message.contains(field) && error.source == "binance"
            }
        }
        let notUTF8 = HTTPResponse(status: 200, body: [0x7B, 0x22, 0xFF, 0xFE, 0x22, 0x3A, 0x31, 0x7D])
        #expect(throws: ConnectorError.self) { try BinanceConnector().decode(notUTF8, for: EndpointCall("price"), receivedAt: received) }
    }
}
