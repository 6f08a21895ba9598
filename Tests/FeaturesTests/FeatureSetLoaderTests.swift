import Connectors
import Features
import Foundation
import Testing
import TributaryCore

@Suite struct FeatureSetLoaderTests {
    @Test func aSetReadsAsDeclared() throws {
        let text = """
            name: bars
            version: 3
            input: { kind: trade, sources: [binance, coinbase], symbols: [BTC-USDT] }
            windows: [1s, 1m, 5m/1m]
            watermark: 2s
            late: correct
            lateness: 10m
            features:
              - ohlcv
              - ewma: { half_life: 30s }
              - returns: { lookback: 50 }
              - volatility
            """
        let (set, problems) = FeatureSetLoader.parse(text, file: "Features.d/bars.yaml")
        #expect(problems.isEmpty)
        let loaded = try #require(set)
        #expect(loaded.name == "bars" && loaded.version == 3 && loaded.input.kind == .trade)
        #expect(loaded.input.sources == ["binance", "coinbase"] && loaded.input.symbols == ["BTC-USDT"])
        #expect(loaded.windows.map(\.description) == ["1s", "1m", "5m/1m"])
        #expect(loaded.watermark == 2_000_000_000 && loaded.late == .correct && loaded.lateness == 600_000_000_000)
        #expect(loaded.features == [.ohlcv, .ewma(halfLife: 30_000_000_000), .returns(lookback: 50), .volatility(lookback: 20)])
    }

    @Test func everyMistakeIsLocatedWithItsFix() {
        let text = """
            version: 1
            input: { kind: trades }
            windows: [1s, 7m/2m, 0s]
            late: dorp
            features:
              - ohlcv
              - ohlcv
              - ewma
              - vwap
            colour: blue
            """
        let (set, problems) = FeatureSetLoader.parse(text, file: "f.yaml")
        #expect(set == nil)
        let lines = problems.map(\.description)
        #expect(lines.contains { $0.hasPrefix("f.yaml:2:") && $0.contains("input.kind must be one of trade, quote") })
        #expect(lines.contains { $0.hasPrefix("f.yaml:3:") && $0.contains("window '7m/2m'") && $0.contains("5m/1m") })
        #expect(lines.contains { $0.hasPrefix("f.yaml:3:") && $0.contains("window '0s'") })
        #expect(lines.contains { $0.hasPrefix("f.yaml:4:") && $0.contains("late must be one of drop, hold, correct") && $0.contains("drop") })
        #expect(lines.contains { $0.hasPrefix("f.yaml:7:") && $0.contains("'ohlcv' is listed twice") })
        #expect(lines.contains { $0.hasPrefix("f.yaml:8:") && $0.contains("ewma needs a half-life") })
        #expect(lines.contains { $0.hasPrefix("f.yaml:9:") && $0.contains("unknown feature 'vwap'") })
        #expect(lines.contains { $0.hasPrefix("f.yaml:10:") && $0.contains("unknown key 'colour'") })
    }

    @Test func aFeatureMustSuitTheInput() {
        let (set, problems) = FeatureSetLoader.parse("version: 1\ninput: { kind: quote }\nwindows: [1m]\nfeatures: [ohlcv]\n", file: "q.yaml")
        #expect(set == nil)
        #expect(problems.first?.description.contains("ohlcv cannot be computed from quotes") == true)
    }

    @Test func aDirectoryRefusesOneNameTwice() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("features-\(UInt64.random(in: 0...UInt64.max))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let body = "version: 1\ninput: { kind: trade }\nwindows: [1m]\nfeatures: [ohlcv]\n"
        try (body).write(toFile: directory + "/bars.yaml", atomically: true, encoding: .utf8)
        try ("name: bars\n" + body).write(toFile: directory + "/again.yaml", atomically: true, encoding: .utf8)
        try String(repeating: "#", count: FeatureSetLoader.maxFileBytes + 1).write(toFile: directory + "/big.yaml", atomically: true, encoding: .utf8)
        let (sets, problems) = FeatureSetLoader.loadDirectory(directory)
        #expect(sets.map(\.name) == ["bars"])
        #expect(problems.contains { $0.description.contains("'bars' is declared twice") })
        #expect(problems.contains { $0.file.hasSuffix("big.yaml") && $0.description.contains("over 256 KB") })
    }
}
