import Foundation
import StoreSQLite
import Synchronization
import Testing
import Transport
import TributaryCore
import TributaryTesting

/// `tributary run --demo` as a real process: it polls, and on SIGTERM it drains and exits 0
/// with every pushed record in the store.
@Suite(.serialized, .timeLimit(.minutes(2))) struct RunCommandTests {
    /// A taken port is said with the port and the fix, before any start-up line.
    @Test func aPortInUseIsReportedBeforeAnythingStarts() throws {
        let taken = try UnacceptingListener()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tributary-port-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let run = try Tributary.run(["run", "--demo", "--port", String(taken.port), "--store", directory + "/t.sqlite"])
        #expect(run.status != 0)
        #expect(run.stderr.contains("port \(taken.port) on 127.0.0.1 is in use by another process"), "\(run.stderr)")
        #expect(run.stderr.contains("--port N"))
        #expect(run.stdout.isEmpty, "\(run.stdout)")
        #expect(!FileManager.default.fileExists(atPath: directory + "/t.sqlite"))
    }

    /// `--demo` serves the shipped providers from its mock; a source of the user's own keeps its base URL.
    @Test func theDemoLeavesAUsersOwnSourceAtItsBaseURL() async throws {
        let server = try LoopbackServer { request in
            guard request.path == "/v1/ticker/BTC-USD" else { return .json(#"{"message":"no route"}"#, status: 404) }
            return .json(#"{"data":{"price":"95000.5","ts":1711356300000}}"#)
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tributary-demo-own-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory + "/sources", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try """
        id: myfeed
        connector: declarative
        base_url: \(server.baseURL)
        endpoints:
          ticker:
            path: /v1/ticker/{symbol}
            kind: quote
            records: data
            time_field: ts
            time_format: epoch_ms
            fields: { last: price }
        poll:
          - { endpoint: ticker, symbols: [BTC-USD], every: 300ms }
        """.write(toFile: directory + "/sources/myfeed.yaml", atomically: true, encoding: .utf8)
        let run = try RunProcess(
            ["--demo", "--only", "myfeed", "--port", "0", "--store", directory + "/t.sqlite"],
            environment: ["TRIBUTARY_SOURCES_DIR": directory + "/sources"])
        defer { run.signal(SIGKILL) }
        let base = try await run.baseURL()
        var records = ExactDecimal(0)
        for _ in 0..<240 where records == ExactDecimal(0) {
            let list = try JSONParser.parse(try await get(base + "/sources").body).arrayValue ?? []
            records = list.first { $0["source"] == .string("myfeed") }?["records"]?.decimalValue ?? ExactDecimal(0)
            if records == ExactDecimal(0) { try await Task.sleep(for: .milliseconds(250)) }
        }
        #expect(records > ExactDecimal(0))
        #expect(server.requestsServed > 0)
        run.signal(SIGTERM)
        #expect(await run.wait() == 0)
    }

    @Test func sigtermDrainsEverythingIntoTheStore() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tributary-run-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let process = Process()
        process.executableURL = Tributary.executable
        process.arguments = [
            "run", "--demo", "--port", "0", "--store", directory + "/t.sqlite", "--summary-every", "1", "--sink", "jsonl:" + directory + "/out.jsonl",
        ]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        let collected = OutputCollector()
        output.fileHandleForReading.readabilityHandler = { handle in collected.append(handle.availableData) }
        try process.run()
        try await Task.sleep(for: .seconds(6))
        // The status server answers while it runs.
        let statusURL = try #require(
            collected.text.split(separator: "\n").first { $0.hasPrefix("status: ") }.map { String($0.dropFirst(8).prefix { $0 != " " }) })
        #expect(statusURL.hasSuffix("/sources"))
        let client = HTTPClient()
        let sources = try await client.send(HTTPRequest(url: statusURL))
        let health = try await client.send(HTTPRequest(url: statusURL.replacingOccurrences(of: "/sources", with: "/health")))
        await client.shutdown()
        #expect(health.status == 200)
        let list = try #require(try JSONParser.parse(sources.body).arrayValue)
        #expect(list.count == 13)
        #expect(list.contains { $0["source"] == .string("binance") && $0["requests"] != .number("0") })
        let signalled = Date()
        process.terminate()  // SIGTERM
        process.waitUntilExit()
        output.fileHandleForReading.readabilityHandler = nil
        collected.append(output.fileHandleForReading.readDataToEndOfFile())
        let text = collected.text
        #expect(Date().timeIntervalSince(signalled) < 10)
        #expect(process.terminationStatus == 0, "\(text)")
        let final = try #require(text.split(separator: "\n").last { $0.hasPrefix("tributary run: stopped") })
        func number(after label: String) -> Int? {
            guard let range = final.range(of: label) else { return nil }
            return Int(final[range.upperBound...].prefix { $0.isNumber })
        }
        let pushed = try #require(number(after: "records pushed "))
        let stored = try #require(number(after: "stored "))
        let duplicates = try #require(number(after: "duplicates "))
        let dead = try #require(number(after: "dead-lettered "))
        #expect(pushed > 0)
        #expect(stored + duplicates + dead == pushed, "\(final)")
        // Rows in the file: each stored record once (an update replaces its row).
        let rows = try SQLiteStore(path: directory + "/t.sqlite").recordCount()
        #expect(rows > 0 && rows <= stored)
        // … and the line says why the two differ: stored = new records + revisions of held ones.
        let new = try #require(number(after: "stored \(stored) (")), revisions = try #require(number(after: "new, "))
        #expect(new + revisions == stored && new == rows, "\(final)")
        // The JSON Lines sink got every record the store was given (stored or duplicate).
        let lines = try String(contentsOfFile: directory + "/out.jsonl", encoding: .utf8).split(separator: "\n").count
        #expect(lines == stored + duplicates)
    }
}
