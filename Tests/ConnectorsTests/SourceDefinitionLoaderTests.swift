import Connectors
import Foundation
import Testing
import TributaryCore
import TributaryTesting

@Suite struct SourceDefinitionLoaderTests {
    let known = ConnectorRegistry.knownConnectors

    func parse(_ text: String) -> (SourceDefinition?, [ConfigProblem]) {
        SourceDefinitionLoader.parse(text, file: "test.yaml", knownConnectors: known)
    }

    @Test func theShippedFilesAreValid() throws {
        let directory = PackageRoot.url.appendingPathComponent("Sources.d").path
        let result = SourceDefinitionLoader.load(directories: [directory], knownConnectors: known)
        #expect(result.problems.isEmpty, "\(result.problems)")
        let binance = try #require(result.definitions["binance"])
        #expect(binance.rateLimit == .init(capacity: 6000, refillPerSecond: 100))
        #expect(binance.endpointWeights["account"] == 20)
        #expect(binance.credentialVariables == ["BINANCE_API_KEY", "BINANCE_API_SECRET"])
        #expect(binance.poll.first == .init(endpoint: "ticker", symbols: ["BTCUSDT", "ETHUSDT", "SOLUSDT"], every: .seconds(5), parameters: [:]))
        #expect(binance.poll[1].parameters == ["interval": "1m", "limit": "5"])
    }

    @Test func everyMistakeIsLocatedAndComesWithAFix() {
        let text = """
            id: binance
            base_url: ftp://x
            breaker: { failure_treshold: 5, open_seconds: -3 }
            retry: { jitter: sometimes }
            endpoints:
              tickr: { weight: 2 }
            poll:
              - { endpoint: ticker, every: 5 }
            colour: blue
            """
        let (_, problems) = parse(text)
        let byLine = Dictionary(grouping: problems, by: \.line)
        #expect(byLine[2]?.first?.message.contains("http://") == true)
        #expect(byLine[3]?.contains { $0.message.contains("failure_treshold") && $0.fix?.contains("did you mean 'failure_threshold'") == true } == true)
        #expect(byLine[3]?.contains { $0.message.contains("open_seconds") && $0.column == 47 } == true)
        #expect(byLine[4]?.first?.fix?.contains("full, decorrelated or none") == true)
        #expect(byLine[6]?.first?.fix?.contains("did you mean 'ticker'") == true)
        #expect(byLine[8]?.first?.message.contains("every '5'") == true)
        #expect(byLine[9]?.first?.message.contains("unknown key 'colour'") == true)
        #expect(problems.allSatisfy { $0.file == "test.yaml" && $0.line > 0 && $0.column > 0 })
        #expect(problems.count == 7)
    }

    /// The reference page's examples are files `sources check` accepts as written.
    @Test func theReferencePagesExamplesAreValid() throws {
        let page = try String(contentsOf: PackageRoot.url.appendingPathComponent("Docs/SOURCES.md"), encoding: .utf8)
        let blocks = page.components(separatedBy: "```yaml\n").dropFirst().compactMap { $0.components(separatedBy: "```").first }
        #expect(blocks.count == 3)
        for block in blocks {
            let (definition, problems) = parse(block)
            #expect(definition != nil && problems.isEmpty, "\(problems)\n\(block)")
        }
    }

    @Test func aP95TargetIsADurationFrom1msTo10m() {
        let (good, none) = parse("id: binance\np95_target: 250ms\n")
        #expect(none.isEmpty && good?.p95Target == .milliseconds(250))
        for bad in ["0ms", "11m", "fast"] {
            let (_, problems) = parse("id: binance\np95_target: \(bad)\n")
            #expect(problems.count == 1 && problems.first?.message.contains("p95_target '\(bad)'") == true && problems.first?.line == 2, "\(problems)")
        }
    }

    @Test func brokenYAMLAndMissingIDAreReported() {
        let (none, syntax) = parse("id: x\n  name: [oops\n")
        #expect(none == nil)
        #expect(syntax.first?.line == 2)
        let (_, missing) = parse("name: Nameless\n")
        #expect(missing.first?.message == "missing `id`")
        let (_, unknown) = parse("id: nosuch\n")
        #expect(unknown.first?.message.contains("no connector named 'nosuch'") == true)
        let (_, secret) = parse("id: binance\nauth: { kind: hmac-sha256, key_env: sk-live-1234 }\n")
        #expect(secret.first?.fix?.contains("never in this file") == true)
    }

    @Test func aUserFileOverridesTheShippedOne() throws {
        let shipped = PackageRoot.url.appendingPathComponent("Sources.d").path
        let user = FileManager.default.temporaryDirectory.appendingPathComponent("tributary-sources-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: user, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: user) }
        try "id: binance\nbase_url: http://127.0.0.1:9\nrate_limit: { capacity: 10, refill_per_second: 1 }\n"
            .write(toFile: user + "/binance.yaml", atomically: true, encoding: .utf8)
        let catalog = SourceCatalog(directories: [shipped, user])
        #expect(catalog.problems.isEmpty)
        #expect(catalog.definitions["binance"]?.rateLimit?.capacity == 10)
        let connector = try catalog.connector(for: "binance", environment: [:])
        #expect(connector.baseURL == "http://127.0.0.1:9")
        // The environment still wins over the file.
        let fromEnv = try catalog.connector(for: "binance", environment: ["TRIBUTARY_BINANCE_BASE_URL": "http://127.0.0.1:8"])
        #expect(fromEnv.baseURL == "http://127.0.0.1:8")
    }

    @Test func durations() {
        #expect(DurationText.parse("250ms") == .milliseconds(250))
        #expect(DurationText.parse("5s") == .seconds(5))
        #expect(DurationText.parse("2m") == .seconds(120))
        #expect(DurationText.parse("1h") == .seconds(3600))
        #expect(DurationText.parse("1d") == .seconds(86_400))
        #expect(DurationText.parse("5") == nil)
        #expect(DurationText.parse("-5s") == nil)
        #expect(DurationText.parse("fives") == nil)
    }
}

@Suite struct PollProblemsTests {
    @Test func aPollTheConnectorWouldRefuseIsReportedAtLoad() throws {
        let directory = NSTemporaryDirectory() + "tributary-polls-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try """
        id: binance
        poll:
          - { endpoint: klines, symbols: [BTCUSDT], every: 1m, params: { interval: 1m, endTime: '1' } }
          - { endpoint: account, every: 1m }
          - { endpoint: ticker, symbols: [BTCUSDT], every: 5s }
        """.write(toFile: directory + "/binance.yaml", atomically: true, encoding: .utf8)
        let problems = SourceCatalog(directories: [directory]).pollProblems()
        // The bad parameter is named with the ones the endpoint takes; the signed endpoint's
        // missing keys are not a file problem (they come from the environment).
        #expect(problems.count == 1)
        #expect(problems.first?.contains("poll[0] (klines)") == true)
        #expect(problems.first?.contains("takes no parameter 'endTime'; it takes: end, interval, limit, start") == true)
        #expect(SourceCatalog(directories: [SourceDirectories.shipped()!]).pollProblems().isEmpty)
    }
}
