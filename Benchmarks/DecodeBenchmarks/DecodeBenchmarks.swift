// Decoding + normalizing real provider bodies with Tributary's exact-number path, against
// Foundation's JSONDecoder decoding the same bytes in the same run (issue #4).
// Run: ENABLE_TRIBUTARY_BENCHMARKS=1 swift package benchmark --target DecodeBenchmarks
import Benchmark
import Connectors
import Foundation
import TributaryCore

let ticker = Array(#"{"symbol":"BTCUSDT","priceChange":"-1274.51000000","priceChangePercent":"-1.319","weightedAvgPrice":"95712.48250519","prevClosePrice":"96612.01000000","lastPrice":"95337.49000000","lastQty":"0.00105000","bidPrice":"95337.48000000","bidQty":"3.21856000","askPrice":"95337.49000000","askQty":"1.85467000","openPrice":"96612.00000000","highPrice":"97188.00000000","lowPrice":"94452.36000000","volume":"17952.41269000","quoteVolume":"1718281828.45904523","openTime":1763808000000,"closeTime":1763894399999,"firstId":5123456789,"lastId":5127456788,"count":4000000}"#.utf8)

/// 500 klines rows in Binance's shape, deterministic.
let klines: [UInt8] = {
    var rows: [String] = []
    for i in 0..<500 {
        let t = 1_700_000_000_000 + Int64(i) * 60_000
        let p = 95_000 + i % 97
        rows.append(#"[\#(t),"\#(p).12000000","\#(p + 3).50000000","\#(p - 2).01000000","\#(p + 1).99000000","12.\#(i % 89)000000",\#(t + 59_999),"1140000.123","\#(100 + i)","6.1","580000.1","0"]"#.replacingOccurrences(of: #""\#(100 + i)""#, with: "\(100 + i)"))
    }
    return Array(("[" + rows.joined(separator: ",") + "]").utf8)
}()

/// What JSONDecoder reads the ticker into: strings for the decimal fields (as Binance sends them).
struct TickerWire: Decodable {
    let symbol: String, priceChange: String, priceChangePercent: String, weightedAvgPrice: String, prevClosePrice: String
    let lastPrice: String, lastQty: String, bidPrice: String, bidQty: String, askPrice: String, askQty: String
    let openPrice: String, highPrice: String, lowPrice: String, volume: String, quoteVolume: String
    let openTime: Int64, closeTime: Int64, firstId: Int64, lastId: Int64, count: Int64
}

/// One klines row through an unkeyed container.
struct KlineWire: Decodable {
    let openTime: Int64, open: String, high: String, low: String, close: String, volume: String
    init(from decoder: any Decoder) throws {
        var row = try decoder.unkeyedContainer()
        openTime = try row.decode(Int64.self)
        open = try row.decode(String.self)
        high = try row.decode(String.self)
        low = try row.decode(String.self)
        close = try row.decode(String.self)
        volume = try row.decode(String.self)
    }
}

let binance = BinanceConnector()
let now = UTCTimestamp.now()
let tickerResponse = HTTPResponse(status: 200, body: ticker)
let klinesResponse = HTTPResponse(status: 200, body: klines)
let tickerData = Data(ticker)
let klinesData = Data(klines)

let benchmarks: @Sendable () -> Void = {
    let configuration = Benchmark.Configuration(metrics: [.throughput, .wallClock, .mallocCountTotal], maxDuration: .seconds(3))

    Benchmark("ticker: Tributary decode + normalize (records)", configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations {
            let records = try binance.decode(tickerResponse, for: EndpointCall("ticker"), receivedAt: now)
            for record in records {
                blackHole(Envelope.rest(record, sourceURI: "https://api.binance.com/api/v3/ticker/24hr?symbol=BTCUSDT", observedAt: now, requestID: "r", transformations: [], ingestedAt: now))
            }
        }
    }
    Benchmark("ticker: Tributary decode only (records)", configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try binance.decode(tickerResponse, for: EndpointCall("ticker"), receivedAt: now))
        }
    }
    Benchmark("ticker: JSONDecoder (structs)", configuration: configuration) { benchmark in
        let decoder = JSONDecoder()
        for _ in benchmark.scaledIterations {
            blackHole(try decoder.decode(TickerWire.self, from: tickerData))
        }
    }
    Benchmark("klines x500: Tributary decode + normalize (responses)", configuration: configuration) { benchmark in
        let call = EndpointCall("klines", symbols: ["BTCUSDT"], parameters: ["interval": "1m"])
        for _ in benchmark.scaledIterations {
            // As a source worker stamps a response: one provenance shared by its records.
            let records = try binance.decode(klinesResponse, for: call, receivedAt: now)
            blackHole(Envelope.rest(records, sourceURI: "https://api.binance.com/api/v3/klines", observedAt: now, requestID: "r", transformations: [], ingestedAt: now))
        }
    }
    Benchmark("klines x500: Tributary decode only (responses)", configuration: configuration) { benchmark in
        let call = EndpointCall("klines", symbols: ["BTCUSDT"], parameters: ["interval": "1m"])
        for _ in benchmark.scaledIterations {
            blackHole(try binance.decode(klinesResponse, for: call, receivedAt: now))
        }
    }
    // The floor the content hash sets: every record's canonical JSON written and hashed (the
    // architecture's `content_hash`), with the 500 bars already decoded outside the loop. Decode +
    // normalize can be no faster than this; set beside JSONDecoder / 3 it says whether ≥ 3× is
    // reachable while each record carries SHA-256 over its canonical JSON.
    Benchmark("klines x500: content-hash floor (canonical JSON + SHA-256 of decoded bars)", configuration: configuration) { benchmark in
        let call = EndpointCall("klines", symbols: ["BTCUSDT"], parameters: ["interval": "1m"])
        let records = try binance.decode(klinesResponse, for: call, receivedAt: now)
        var hasher = ContentHasher()
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            for record in records { blackHole(hasher.digest(record)) }
        }
    }
    Benchmark("klines x500: SHA-256 alone of the 500 canonical records", configuration: configuration) { benchmark in
        let call = EndpointCall("klines", symbols: ["BTCUSDT"], parameters: ["interval": "1m"])
        let canonical = try binance.decode(klinesResponse, for: call, receivedAt: now).map { ContentHash.canonicalBytes(of: $0) }
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            for bytes in canonical { blackHole(bytes.withUnsafeBytes { ContentDigest(sha256Of: $0) }) }
        }
    }
    Benchmark("klines x500: JSONDecoder (responses)", configuration: configuration) { benchmark in
        let decoder = JSONDecoder()
        for _ in benchmark.scaledIterations {
            blackHole(try decoder.decode([KlineWire].self, from: klinesData))
        }
    }
}
