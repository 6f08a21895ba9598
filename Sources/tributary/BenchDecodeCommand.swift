import ArgumentParser
import Connectors
import Foundation
import TributaryCore

/// `tributary bench decode`: CPU cost of each normalization stage, without any network.
struct BenchDecodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Time JSON parse, decode to records and provenance + content hash on one payload.",
        discussion: #"Prints {"iterations","parse_us","decode_us","envelope_us","total_us"}: microseconds per response."#
    )

    @Option(help: "The response body to decode (default: a Binance 24 h ticker).")
    var file: String?

    @Option(help: "How many times to run each stage.")
    var iterations: Int = 200_000

    func validate() throws {
        guard iterations > 0 else { throw ValidationError("--iterations must be at least 1") }
    }

    func run() async throws {
        let body: [UInt8]
        if let file {
            guard let data = FileManager.default.contents(atPath: file) else { throw ValidationError("cannot read \(file)") }
            body = Array(data)
        } else {
            body = Array(BenchDecodeCommand.sampleTicker.utf8)
        }
        let binance = BinanceConnector()
        let response = HTTPResponse(status: 200, body: body)
        let now = UTCTimestamp.now()
        var sink = 0

        let parse = Self.time(iterations) {
            if case .object(let object) = try? JSONParser.parse(body) { sink &+= object.members.count }
        }
        let records = try binance.decode(response, for: "ticker", receivedAt: now)
        let decode = Self.time(iterations) {
            sink &+= (try? binance.decode(response, for: "ticker", receivedAt: now))?.count ?? 0
        }
        let envelope = Self.time(iterations) {
            for record in records {
                let envelope = Envelope.rest(
                    record, sourceURI: "https://api.binance.com/api/v3/ticker/24hr?symbol=BTCUSDT", observedAt: now, requestID: "r", transformations: [],
                    ingestedAt: now)
                sink &+= envelope.provenance.contentHash.utf8.count
            }
        }
        func us(_ d: Duration) -> String {
            String(format: "%.3f", (Double(d.components.seconds) * 1e6 + Double(d.components.attoseconds) / 1e12) / Double(iterations))
        }
        print(
            #"{"iterations":\#(iterations),"parse_us":\#(us(parse)),"decode_us":\#(us(decode)),"envelope_us":\#(us(envelope)),"total_us":\#(us(decode + envelope)),"check":\#(sink % 2)}"#
        )
    }

    static func time(_ iterations: Int, _ body: () -> Void) -> Duration {
        let start = ContinuousClock.now
        for _ in 0..<iterations { body() }
        return ContinuousClock.now - start
    }

    /// The Benchmarks/fixtures ticker, so the command runs anywhere.
    static let sampleTicker =
        #"{"symbol":"BTCUSDT","priceChange":"-1274.51000000","priceChangePercent":"-1.319","weightedAvgPrice":"95712.48250519","prevClosePrice":"96612.01000000","lastPrice":"95337.49000000","lastQty":"0.00105000","bidPrice":"95337.48000000","bidQty":"3.21856000","askPrice":"95337.49000000","askQty":"1.85467000","openPrice":"96612.00000000","highPrice":"97188.00000000","lowPrice":"94452.36000000","volume":"17952.41269000","quoteVolume":"1718281828.45904523","openTime":1763808000000,"closeTime":1763894399999,"firstId":5123456789,"lastId":5127456788,"count":4000000}"#
}
