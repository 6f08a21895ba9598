import Foundation
import Testing
import TributaryCore
import TributaryTesting

/// Runs the built `tributary` binary as a user would, against a loopback upstream.
@Suite(.timeLimit(.minutes(2))) struct FetchCommandTests {
    static let ticker =
        #"{"symbol":"BTCUSDT","priceChange":"-1274.51000000","priceChangePercent":"-1.319","lastPrice":"95337.49000000","bidPrice":"95337.48000000","askPrice":"95337.49000000","openPrice":"96612.00000000","highPrice":"97188.00000000","lowPrice":"94452.36000000","volume":"17952.41269000","quoteVolume":"1718281828.45904523","openTime":1763808000000,"closeTime":1763894399999,"count":4000000}"#

    func upstream() throws -> LoopbackServer {
        try LoopbackServer { request in
            guard request.path == "/api/v3/ticker/24hr" else { return .json(#"{"code":-1,"msg":"no route"}"#, status: 404) }
            if request.query["symbol"] == "NOPE" { return .json(#"{"code":-1121,"msg":"Invalid symbol."}"#, status: 400) }
            return .json(Self.ticker)
        }
    }

    /// The shell asks the binary for sources and a source's endpoints (ArgumentParser's
    /// `---completion` callback, as the generated bash/zsh/fish scripts call it).
    @Test func shellCompletionsOfferSourcesEndpointsAndKinds() throws {
        let endpoints = try Tributary.run(["---completion", "fetch", "--", "positional@1", "3", "0", "tributary", "fetch", "binance", ""])
        #expect(endpoints.status == 0)
        #expect(endpoints.stdout.split(separator: "\n") == ["ticker", "price", "klines", "agg-trades", "depth", "account"], "\(endpoints.stdout)")
        let sources = try Tributary.run(["---completion", "fetch", "--", "positional@0", "2", "2", "tributary", "fetch", "co"])
        #expect(sources.stdout.split(separator: "\n") == ["coinbase", "coingecko"], "\(sources.stdout)")
        let script = try Tributary.run(["--generate-completion-script", "bash"])
        #expect(script.stdout.contains(#"-W 'quote'$'\n''bar'$'\n''trade'$'\n''book'$'\n''news'$'\n''observation'$'\n''balance'"#), "\(script.stdout)")
        #expect(script.stdout.contains("---completion import -- --source"))
    }

    @Test func helpListsEveryEndpointWithItsParameters() throws {
        let help = try Tributary.run(["fetch", "--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("klines (bar, --symbol): end interval=1m limit=100 start"), "\(help.stdout)")
        #expect(help.stdout.contains("observations (observation, --symbol)"))
        #expect(help.stdout.contains("account (balance)"))
        // The `help` subcommand spelling reaches the same list (it is computed only when asked).
        let spelled = try Tributary.run(["help", "fetch"])
        #expect(spelled.stdout.contains("klines (bar, --symbol): end interval=1m limit=100 start"), "\(spelled.stdout)")
    }

    @Test func jsonLinesCarryExactDecimalsAndProvenance() throws {
        let server = try upstream()
        defer { server.stop() }
        let run = try Tributary.run(["fetch", "binance", "ticker", "--symbol", "BTCUSDT", "--json", "--base-url", server.baseURL])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let lines = run.stdout.split(separator: "\n")
        #expect(lines.count == 1)
        let record = try JSONParser.parse(Array(lines[0].utf8))
        #expect(record["symbol"] == .string("BTC-USDT"))
        #expect(record["venue_symbol"] == .string("BTCUSDT"))
        #expect(record["last"] == .string("95337.49000000"))
        #expect(record["quote_volume"] == .string("1718281828.45904523"))
        #expect(record["as_of"] == .string("2025-11-23T10:39:59.999Z"))
        #expect(record["provenance"]?["content_hash"]?.stringValue?.hasPrefix("sha256:") == true)
        #expect(record["provenance"]?["source_uri"] == .string("\(server.baseURL)/api/v3/ticker/24hr?symbol=BTCUSDT"))
    }

    @Test func tableIsTheDefault() throws {
        let server = try upstream()
        defer { server.stop() }
        let run = try Tributary.run(["fetch", "binance", "ticker", "--symbol", "BTC-USDT"], environment: ["TRIBUTARY_BINANCE_BASE_URL": server.baseURL])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let lines = run.stdout.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines[0].hasPrefix("SOURCE   SYMBOL    VENUE_SYMBOL  AS_OF"))
        #expect(lines[1].hasPrefix("binance  BTC-USDT  BTCUSDT       2025-11-23T10:39:59.999Z  95337.49000000"))
    }

    @Test func upstreamErrorsExitNonZeroWithAClearMessage() throws {
        let server = try upstream()
        defer { server.stop() }
        let run = try Tributary.run(["fetch", "binance", "ticker", "--symbol", "NOPE", "--base-url", server.baseURL])
        #expect(run.status != 0)
        #expect(run.stdout.isEmpty)
        #expect(run.stderr.contains("unknown symbol"))
        #expect(run.stderr.contains("-1121"))
        let unknown = try Tributary.run(["fetch", "nosuch", "ticker"])
        #expect(unknown.status != 0)
        #expect(unknown.stderr.contains("available: alphavantage, binance, coinbase"))
    }

    @Test func unreachableUpstreamSaysSo() throws {
        let port = try UnacceptingListener.freePort()
        let run = try Tributary.run(["fetch", "binance", "ticker", "--symbol", "BTCUSDT", "--base-url", "http://127.0.0.1:\(port)"])
        #expect(run.status != 0)
        #expect(run.stderr.contains("connect failed"))
    }

    @Test func benchPrintsExactlyOneJSONObject() throws {
        let server = try upstream()
        defer { server.stop() }
        let run = try Tributary.run([
            "bench", "fetch", "--url", "\(server.baseURL)/api/v3/ticker/24hr?symbol=BTCUSDT",
            "--requests", "300", "--concurrency", "4", "--decode", "binance-ticker",
        ])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let lines = run.stdout.split(separator: "\n")
        #expect(lines.count == 1)
        let report = try JSONParser.parse(Array(lines[0].utf8))
        guard case .object(let object) = report else { Issue.record("not an object: \(run.stdout)"); return }
        #expect(object.keys == ["requests", "errors", "seconds", "req_per_s", "p50_ms", "p95_ms", "p99_ms", "max_ms", "rss_mb"])
        #expect(report["requests"] == .number("300"))
        #expect(report["errors"] == .number("0"))
        #expect(server.requestsServed == 300)
        #expect(server.acceptedConnections <= 4)
    }

    @Test func benchCountsErrors() throws {
        let server = try upstream()
        defer { server.stop() }
        let run = try Tributary.run(["bench", "fetch", "--url", "\(server.baseURL)/missing", "--requests", "20", "--concurrency", "2"])
        #expect(run.status == 0)
        #expect(try JSONParser.parse(Array(run.stdout.utf8))["errors"] == .number("20"))
    }
}

@Suite struct SourcesCommandTests {
    @Test func listsEverySourceWithItsProtection() throws {
        let run = try Tributary.run(["sources"], environment: ["TRIBUTARY_BINANCE_BASE_URL": "http://127.0.0.1:9999"])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let lines = run.stdout.split(separator: "\n")
        #expect(lines.first?.hasPrefix("SOURCE") == true)
        let binance = try #require(lines.first { $0.hasPrefix("binance") })
        #expect(binance.contains("ticker"))
        #expect(binance.contains("http://127.0.0.1:9999"))
        #expect(binance.contains("6000 burst, 100/s"))
        #expect(binance.contains("closed"))
    }
}

@Suite struct SourcesCheckTests {
    @Test func checkNamesFileLineAndFixAndExitsNonZero() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tributary-check-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "id: binance\nretry: { max_atempts: 3 }\n".write(toFile: directory + "/binance.yaml", atomically: true, encoding: .utf8)
        let run = try Tributary.run(["sources", "check", directory])
        #expect(run.status == 1)
        #expect(run.stdout.contains("\(directory)/binance.yaml:2:10: error: unknown key 'max_atempts' in retry"))
        #expect(run.stdout.contains("did you mean 'max_attempts'?"))
        let shipped = try Tributary.run(["sources", "check"])
        #expect(shipped.status == 0, "\(shipped.stdout)")
    }

    @Test func fetchRefusesASourceWhoseFileIsBroken() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tributary-broken-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "id: binance\nrate_limit: { capacity: -1, refill_per_second: 1 }\n".write(toFile: directory + "/binance.yaml", atomically: true, encoding: .utf8)
        let run = try Tributary.run(["fetch", "binance", "ticker", "--symbol", "BTCUSDT"], environment: ["TRIBUTARY_SOURCES_DIR": directory])
        #expect(run.status != 0)
        #expect(run.stderr.contains("binance.yaml:2"))
    }
}

@Suite struct EnvironmentFileTests {
    @Test func keysComeFromTheEnvFileButTheEnvironmentWins() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("tributary-\(UUID().uuidString).env").path
        try "# test\nFRED_API_KEY=from-file\nFINNHUB_API_KEY=from-file\n".write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let run = try Tributary.run(["sources"], environment: ["TRIBUTARY_ENV_FILE": file, "FINNHUB_API_KEY": ""])
        #expect(run.status == 0, "\(run.stderr)")
        let fred = run.stdout.split(separator: "\n").first { $0.hasPrefix("fred") }
        #expect(fred?.contains("FRED_API_KEY=set") == true)
        let finnhub = run.stdout.split(separator: "\n").first { $0.hasPrefix("finnhub") }
        #expect(finnhub?.contains("FINNHUB_API_KEY=missing") == true)
        #expect(!run.stdout.contains("from-file"))
        let missing = try Tributary.run(["sources"], environment: ["TRIBUTARY_ENV_FILE": file + ".nope"])
        #expect(missing.status != 0 && missing.stderr.contains("TRIBUTARY_ENV_FILE"))
    }

    @Test func theExampleListsEveryKeyAConnectorReads() throws {
        let example = try String(contentsOfFile: PackageRoot.url.appendingPathComponent(".env.example").path, encoding: .utf8)
        let run = try Tributary.run(["sources"])
        let keys = run.stdout.split(separator: " ").compactMap { word -> String? in
            guard let equals = word.firstIndex(of: "=") else { return nil }
            return String(word[..<equals])
        }
        #expect(!keys.isEmpty)
        for key in Set(keys) { #expect(example.contains("\n\(key)="), "\(key) is missing from .env.example") }
    }
}

@Suite struct DeclarativeSourceEndToEndTests {
    @Test func aSourceAddedByDroppingAFileNeedsNoSwift() throws {
        let server = try LoopbackServer { request in
            guard request.path == "/v1/ticker/ETH-USD", request.query["token"] == "xk" else { return .json(#"{"message":"no"}"#, status: 404) }
            return .json(#"{"data":{"pair":"ETH-USD","price":"3500.25","ts":1711356300000}}"#)
        }
        defer { server.stop() }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tributary-decl-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try """
        id: examplex
        connector: declarative
        base_url: \(server.baseURL)
        auth: { kind: query, key_env: EXAMPLEX_KEY, name: token }
        endpoints:
          ticker: { path: "/v1/ticker/{symbol}", kind: quote, records: data, symbol_field: pair, time_field: ts, time_format: epoch_ms, fields: { last: price } }
        """.write(toFile: directory + "/examplex.yaml", atomically: true, encoding: .utf8)
        let env = ["TRIBUTARY_SOURCES_DIR": directory, "EXAMPLEX_KEY": "xk"]
        let run = try Tributary.run(["fetch", "examplex", "ticker", "--symbol", "ETH-USD", "--json"], environment: env)
        #expect(run.status == 0, "\(run.stderr)")
        let record = try JSONParser.parse(Array(run.stdout.utf8))
        #expect(record["source"] == .string("examplex") && record["last"] == .string("3500.25") && record["symbol"] == .string("ETH-USD"))
        #expect(record["provenance"]?["source_uri"]?.stringValue?.hasSuffix("token=REDACTED") == true)
        let listed = try Tributary.run(["sources"], environment: env)
        #expect(listed.stdout.contains("examplex") && listed.stdout.contains("EXAMPLEX_KEY=set"))
    }
}
