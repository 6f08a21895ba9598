import Connectors
import Testing
import TributaryCore
import TributaryTesting

/// Coinbase, Kraken and CoinGecko samples decode to the meaning ../shared/payloads/README.md states.
@Suite struct CryptoVenuesTests {
    let received = UTCTimestamp(rfc3339: "2024-03-13T11:10:42Z")!

    func decode(_ connector: some Connector, _ file: String, _ call: EndpointCall, status: Int = 200) throws -> [Record] {
        try connector.decode(HTTPResponse(status: status, body: try PayloadLoader.load(file)), for: call, receivedAt: received)
    }

    func quote(_ record: Record?) -> Quote? { if case .quote(let q)? = record?.payload { q } else { nil } }
    func bar(_ record: Record?) -> Bar? { if case .bar(let b)? = record?.payload { b } else { nil } }

    @Test func coinbaseTickerKeepsMicrosecondTime() throws {
        let records = try decode(CoinbaseConnector(), "coinbase/product_ticker_BTC-USDT.json", EndpointCall("ticker", symbols: ["BTC-USDT"]))
        let q = try #require(quote(records.first))
        #expect(records[0].symbol == "BTC-USDT" && records[0].venueSymbol == "BTC-USDT")
        #expect(q.last?.description == "73367.8" && q.bid?.description == "73360.34" && q.ask?.description == "73369.19")
        #expect(q.volume?.description == "1207.50668151")
        #expect(q.asOf.nanosecondsSinceEpoch == 1_710_328_241_270_099_000)
        #expect(q.high == nil && q.low == nil && q.open == nil)
    }

    @Test func coinbaseCandlesAreTimeLowHighOpenCloseVolume() throws {
        let records = try decode(
            CoinbaseConnector(), "coinbase/product_candles_BTC-USDT_3600.json", EndpointCall("candles", symbols: ["BTC-USDT"], parameters: ["interval": "1h"]))
        let b = try #require(bar(records.first))
        #expect(b.start.rfc3339 == "2024-03-13T11:00:00.000Z")
        #expect(b.open.description == "73243.33" && b.high.description == "73402.47" && b.low.description == "73241.5" && b.close.description == "73370.65")
        #expect(b.volume?.description == "1.56794406")
        #expect(b.interval == "1h")
    }

    @Test func coinbaseRequests() throws {
        let coinbase = CoinbaseConnector(baseURL: "http://h")
        #expect(try coinbase.request(for: EndpointCall("ticker", symbols: ["btc/usd"]), at: received).url == "http://h/products/BTC-USD/ticker")
        #expect(
            try coinbase.request(
                for: EndpointCall("candles", symbols: ["BTCUSDT"], parameters: ["interval": "15m", "start": "2024-01-02T00:00:00Z"]), at: received
            ).url
                == "http://h/products/BTC-USDT/candles?granularity=900&start=2024-01-02T00:00:00.000Z")
        #expect(throws: ConnectorError.self) {
            try coinbase.request(for: EndpointCall("candles", symbols: ["BTC-USD"], parameters: ["interval": "2h"]), at: received)
        }
    }

    @Test func krakenTickerReadsTheSingleEntryByPosition() throws {
        let records = try decode(KrakenConnector(), "kraken/ticker_XBTUSDT.json", EndpointCall("ticker", symbols: ["XBTUSDT"]))
        let q = try #require(quote(records.first))
        #expect(records[0].symbol == "BTC-USDT" && records[0].venueSymbol == "XBTUSDT")
        #expect(q.last?.description == "73380.60000" && q.ask?.description == "73380.70000" && q.bid?.description == "73380.60000")
        #expect(q.open?.description == "71450.70000" && q.high?.description == "73580.00000" && q.low?.description == "68666.00000")
        #expect(q.volume?.description == "598.03698452")
        #expect(q.asOf == received)
    }

    @Test func krakenOHLCWithVWAPAndCount() throws {
        let records = try decode(KrakenConnector(), "kraken/ohlc_XBTUSDT_60.json", EndpointCall("ohlc", symbols: ["BTC-USDT"], parameters: ["interval": "1h"]))
        let b = try #require(bar(records.first))
        #expect(b.start.rfc3339 == "2024-01-30T15:00:00.000Z")
        #expect(b.open.description == "43437.5" && b.high.description == "43593.7" && b.low.description == "43355.5" && b.close.description == "43361.1")
        #expect(b.vwap?.description == "43511.3" && b.volume?.description == "18.75430110" && b.trades == 162)
        // The final row is the still-forming candle, at 1706799600 (2024-02-01T15:00:00Z).
        let lastStart = try #require(records.last.flatMap(bar)).start
        #expect(lastStart == UTCTimestamp(secondsSinceEpoch: 1_706_799_600)!)
    }

    @Test func krakenErrorWithHTTP200IsNotData() throws {
        #expect {
            try decode(KrakenConnector(), "kraken/error_unknown_asset_pair_http200.json", EndpointCall("ticker", symbols: ["NOTAPAIR"]))
        } throws: { error in
            (error as? ConnectorError)?.code == .noData
        }
        #expect(
            try KrakenConnector(baseURL: "http://h").request(for: EndpointCall("ticker", symbols: ["BTC-USD"]), at: received).url
                == "http://h/0/public/Ticker?pair=XBTUSD")
        #expect(
            try KrakenConnector(baseURL: "http://h").request(
                for: EndpointCall("ohlc", symbols: ["XBTUSDT"], parameters: ["interval": "4h", "since": "1706628191"]), at: received
            ).url
                == "http://h/0/public/OHLC?pair=XBTUSDT&interval=240&since=1706628191")
    }

    @Test func coingeckoSimplePriceKeepsTheNumbersText() throws {
        let records = try decode(CoinGeckoConnector(), "coingecko/simple_price_bitcoin_docs_example.json", EndpointCall("price", symbols: ["BTC"]))
        let q = try #require(quote(records.first))
        #expect(records[0].symbol == "BTC-USD" && records[0].venueSymbol == "bitcoin/usd")
        #expect(q.last?.description == "67187.3358936566")
        #expect(q.quoteVolume?.description == "31260929299.5248")
        #expect(q.changePercent?.description == "3.63727894677354")
        #expect(q.asOf.rfc3339 == "2024-03-25T08:45:00.000Z")
        #expect(q.currency == "USD")
    }

    @Test func coingeckoEachCoinHasItsOwnAsOf() throws {
        let records = try decode(
            CoinGeckoConnector(), "coingecko/simple_price_btc_eth_full_options.json", EndpointCall("price", symbols: ["bitcoin", "ethereum"]))
        #expect(records.map(\.symbol) == ["BTC-USD", "ETH-USD"])
        #expect(quote(records[0])?.last?.description == "103663")
        #expect(quote(records[0])?.asOf.rfc3339 == "2025-05-16T15:04:19.000Z")
        #expect(quote(records[1])?.last?.description == "2587.79")
        #expect(quote(records[1])?.asOf.rfc3339 == "2025-05-16T15:04:28.000Z")
    }

    @Test func coingeckoMarketsWithExponentsAndNulls() throws {
        let records = try decode(CoinGeckoConnector(), "coingecko/coins_markets_usd_trimmed.json", EndpointCall("markets"))
        #expect(records.map(\.symbol) == ["BTC-USD", "ETH-USD", "USDT-USD", "DOGE-USD"])
        #expect(quote(records[0])?.last?.description == "65610")
        #expect(quote(records[0])?.asOf.rfc3339 == "2026-02-27T22:50:40.941Z")
        #expect(quote(records[2])?.change?.description == "0.00005856")
        #expect(quote(records[2])?.last == ExactDecimal(1))
    }

    @Test func coingeckoRequestsCarryTheOptionalKey() throws {
        let keyed = CoinGeckoConnector(baseURL: "http://h", apiKey: "demo")
        let request = try keyed.request(for: EndpointCall("price", symbols: ["BTC", "ethereum"]), at: received)
        #expect(request.url.hasPrefix("http://h/simple/price?ids=bitcoin,ethereum&vs_currencies=usd&"))
        #expect(request.headers["x-cg-demo-api-key"] == "demo")
        #expect(try CoinGeckoConnector().request(for: EndpointCall("markets"), at: received).headers["x-cg-demo-api-key"] == nil)
    }
}
