import ArgumentParser
import Foundation
import Hummingbird
import MockMarket

/// `tributary mock`: the mock market on its own, until SIGINT or SIGTERM.
struct MockCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mock",
        abstract: "Serve the providers' API shapes on 127.0.0.1 with moving, seeded prices.",
        discussion: "Point a source at it with --base-url or TRIBUTARY_<SOURCE>_BASE_URL. Stops on SIGINT or SIGTERM."
    )

    @Option(help: "Port on 127.0.0.1; 0 picks a free one (printed on the first line).")
    var port: Int = 8090

    @Option(help: "Seed of the price walk; the same seed gives the same prices.")
    var seed: UInt64 = 42

    @Option(
        name: .customLong("fault"),
        help:
            "Inject a fault: SOURCE:KIND[:key=value]…, e.g. binance:429:retry-after=2:rate=0.3, kraken:hang, coinbase:5xx:count=5. Repeatable; also POST /control/faults."
    )
    var faults: [String] = []

    /// Signed Binance calls are checked against BINANCE_API_KEY / BINANCE_API_SECRET when both are
    /// set, else against the demo pair (see `MockCredentials.demo`).
    var binanceCredentials: MockCredentials {
        let env = ProcessInfo.processInfo.environment
        if let key = env["BINANCE_API_KEY"], !key.isEmpty, let secret = env["BINANCE_API_SECRET"], !secret.isEmpty {
            return MockCredentials(apiKey: key, secret: secret)
        }
        return .demo
    }

    func validate() throws {
        for spec in faults {
            do { _ = try MockFault(spec: spec) } catch { throw ValidationError(error.description) }
        }
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be 0…65535") }
    }

    func run() async throws {
        let market = MockMarket(seed: seed, binanceCredentials: binanceCredentials, faults: try faults.map { try MockFault(spec: $0) })
        let app = market.application(port: port) { actual in
            // Unbuffered, so a script reading the first line gets it at once.
            FileHandle.standardOutput.write(Data("mock market listening on http://127.0.0.1:\(actual)\n".utf8))
        }
        try await app.runService()
    }
}
