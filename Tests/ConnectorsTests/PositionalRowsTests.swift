import Connectors
import Testing
import TributaryCore

/// Binance klines, Coinbase candles and Kraken OHLC rows are read by one positional reader:
/// good rows become bars with the right fields, and a bad row or field is named the same way
/// in all three.
@Suite struct PositionalRowsTests {
    static func decode(_ connector: any Connector, _ endpoint: String, symbol: String, _ body: String) throws(ConnectorError) -> [Record] {
        try connector.decode(
            HTTPResponse(status: 200, body: Array(body.utf8)), for: EndpointCall(endpoint, symbols: [symbol], parameters: ["interval": "1m"]),
            receivedAt: .now())
    }

    static let cases: [(connector: any Connector, endpoint: String, symbol: String, good: String, bad: String, problem: String)] = [
        (
            BinanceConnector(), "klines", "BTCUSDT", #"[[1700000000000,"1.0","3.0","0.5","2.0","10",1700000059999,"20",7,"1","2","0"]]"#,
            #"[[1700000000000,"1.0",true,"0.5","2.0","10",1700000059999,"20",7,"1","2","0"]]"#, "klines: row 0 field 2 (high) is boolean, expected a decimal"
        ),
        (
            CoinbaseConnector(), "candles", "BTC-USD", #"[[1700000000,0.5,3.0,1.0,2.0,10]]"#, #"[[1700000000,0.5,3.0,1.0,2.0]]"#,
            "candles: row 0 is not [time, low, high, open, close, volume]"
        ),
        (
            KrakenConnector(), "ohlc", "XBTUSDT", #"{"error":[],"result":{"XBTUSDT":[[1700000000,"1.0","3.0","0.5","2.0","1.5","10",7]],"last":1}}"#,
            #"{"error":[],"result":{"XBTUSDT":[["soon","1.0","3.0","0.5","2.0","1.5","10",7]],"last":1}}"#,
            "ohlc: row 0 field 0 (time) is string, expected an integer"
        ),
    ]

    @Test(arguments: cases.indices)
    func barsAreReadByPositionAndBadFieldsNamed(index: Int) throws {
        let c = Self.cases[index]
        let records = try Self.decode(c.connector, c.endpoint, symbol: c.symbol, c.good)
        guard case .bar(let bar)? = records.first?.payload else { Issue.record("a bar"); return }
        #expect(records.count == 1)
        let expected = try ["1.0", "3.0", "0.5", "2.0", "10"].map { try ExactDecimal(parsing: $0) }
        #expect([bar.open, bar.high, bar.low, bar.close, bar.volume] == expected)
        #expect(bar.start.millisecondsSinceEpoch == 1_700_000_000_000)
        #expect {
            try Self.decode(c.connector, c.endpoint, symbol: c.symbol, c.bad)
        } throws: { error in
            (error as? ConnectorError)?.code == .decode && "\(error)".contains(c.problem)
        }
    }
}
