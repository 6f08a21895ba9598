import Engine
import Foundation
import Pipeline
import StoreSQLite
import Testing
import Transport
import TributaryCore
import TributaryTesting

/// `tributary export` and `GET /records` on the real binary: what was imported or pushed comes
/// back out, in order, in CSV and JSON Lines, filtered by symbol, source and time.
@Suite(.serialized, .timeLimit(.minutes(3))) struct ExportTests {
    func importTrades(_ directory: String, rows: Int) throws {
        var text = "time,symbol,price,size,trade_id,side\n"
        for i in 0..<rows { text += "\(1_700_000_000_000 + i * 1_000),\(i % 2 == 0 ? "BTC-USD" : "ETH-USD"),95000.\(i % 10)0,0.5,\(i),buy\n" }
        try text.write(toFile: directory + "/tape.csv", atomically: true, encoding: .utf8)
        try "kind: trade\n".write(toFile: directory + "/rules.yaml", atomically: true, encoding: .utf8)
        let imported = try Tributary.run([
            "import", directory + "/tape.csv", "--source", "tape", "--rules", directory + "/rules.yaml", "--store", directory + "/t.sqlite",
        ])
        #expect(imported.status == 0, "\(imported.stderr)")
    }

    @Test func exportWritesWhatWasImportedFilteredAndInOrder() throws {
        let directory = try temporaryDirectory("export")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try importTrades(directory, rows: 2_500)
        let csv = try Tributary.run(["export", "--kind", "trade", "--symbol", "BTC-USD", "--format", "csv", "--store", "sqlite:" + directory + "/t.sqlite"])
        #expect(csv.status == 0, "\(csv.stderr)")
        let lines = csv.stdout.split(separator: "\n")
        #expect(lines.first == "source,endpoint,symbol,venue_symbol,trade_id,time,price,size,side,content_hash,observed_at,ingested_at,source_type,request_id")
        #expect(lines.count == 1 + 1_250, "\(lines.count)")
        #expect(lines[1].hasPrefix("tape,import,BTC-USD,BTC-USD,0,2023-11-14T22:13:20.000Z,95000.00,0.5,buy,sha256:"), "\(lines[1])")
        #expect(csv.stderr.contains("exported 1250 trade records"))
        // Times in order across pages of 1,000; a range (from inclusive, to exclusive) and JSON Lines.
        let times = lines.dropFirst().map { $0.split(separator: ",")[5] }
        #expect(times == times.sorted())
        let ranged = try Tributary.run([
            "export", "--kind", "trade", "--from", "2023-11-14T22:13:30Z", "--to", "2023-11-14T22:13:40Z",
            "--format", "jsonl", "--store", directory + "/t.sqlite",
        ])
        let records = ranged.stdout.split(separator: "\n")
        #expect(records.count == 10, "\(ranged.stdout.prefix(300))")
        #expect(records.first?.contains(#""trade_id":"10""#) == true && records.first?.contains(#""provenance":{"source_id":"tape""#) == true)
        // Mistakes name the option.
        let badTime = try Tributary.run(["export", "--kind", "trade", "--from", "yesterday", "--store", directory + "/t.sqlite"])
        #expect(badTime.status != 0 && badTime.stderr.contains("--from 'yesterday'"), "\(badTime.stderr)")
        let badKind = try Tributary.run(["export", "--kind", "trades", "--store", directory + "/t.sqlite"])
        #expect(badKind.status != 0 && badKind.stderr.contains("--kind 'trades'"))
        let noStore = try Tributary.run(["export", "--kind", "trade", "--store", directory + "/none.sqlite"])
        #expect(noStore.status != 0 && noStore.stderr.contains("no store at"))
        let badURL = try Tributary.run(["export", "--kind", "trade", "--store", "mysql://x"])
        #expect(badURL.status != 0 && badURL.stderr.contains("scheme 'mysql'"), "\(badURL.stderr)")
    }

    @Test func recordsRouteStreamsFromTheStore() async throws {
        let directory = try temporaryDirectory("records-route")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try importTrades(directory, rows: 2_100)
        let sources = directory + "/sources"
        try FileManager.default.createDirectory(atPath: sources, withIntermediateDirectories: true)
        try "id: open\npush: {}\n".write(toFile: sources + "/open.yaml", atomically: true, encoding: .utf8)
        let run = try RunProcess(["--only", "open", "--port", "0", "--store", directory + "/t.sqlite"], environment: ["TRIBUTARY_SOURCES_DIR": sources])
        let base = try await run.baseURL()
        let csv = try await get(base + "/records?kind=trade&source=tape&symbol=ETH-USD&format=csv")
        #expect(csv.status == 200 && csv.headers["content-type"]?.hasPrefix("text/csv") == true)
        let lines = csv.bodyText.split(separator: "\n")
        #expect(lines.count == 1 + 1_050, "\(lines.count)")
        #expect(lines.last?.hasPrefix("tape,import,ETH-USD,ETH-USD,2099,") == true, "\(String(describing: lines.last))")
        let recent = try await get(base + "/records?kind=trade&from=-1h")
        #expect(recent.status == 200 && recent.bodyText.isEmpty)
        let bad = try await get(base + "/records?kind=trade&from=soon")
        #expect(bad.status == 400 && bad.bodyText.contains("not a time"))
        let missing = try await get(base + "/records?symbol=X")
        #expect(missing.status == 400 && missing.bodyText.contains("'kind'"))
        run.signal(SIGTERM)
        #expect(await run.wait() == 0, "\(run.stderr.text)")
    }
}
