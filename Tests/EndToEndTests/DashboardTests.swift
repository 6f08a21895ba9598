import Foundation
import Testing
import Transport
import TributaryCore
import TributaryTesting

/// The live page `run` serves at `/`, in a real headless Chromium: it loads with no console
/// message, shows every source, and follows a breaker that opens on an injected fault.
@Suite(.serialized, .timeLimit(.minutes(5))) struct DashboardTests {
    /// Where the page's screenshot is kept after the run (`TRIBUTARY_TEST_ARTIFACTS`, else `.build/test-artifacts`).
    static var artifacts: String {
        ProcessInfo.processInfo.environment["TRIBUTARY_TEST_ARTIFACTS"] ?? PackageRoot.url.appendingPathComponent(".build/test-artifacts").path
    }

    @Test func thePageShowsEverySourceAndFollowsABreakerOpening() async throws {
        let directory = try temporaryDirectory("dashboard")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let mock = try MockProcess()
        defer { mock.stop() }
        let sources = directory + "/sources"
        try FileManager.default.createDirectory(atPath: sources, withIntermediateDirectories: true)
        try """
        id: binance
        base_url: \(mock.url)/binance
        breaker: { failure_threshold: 2, open_seconds: 60 }
        retry: { max_attempts: 1 }
        poll:
          - { endpoint: ticker, symbols: [BTCUSDT], every: 300ms }
        """.write(toFile: sources + "/binance.yaml", atomically: true, encoding: .utf8)
        try """
        id: coinbase
        base_url: \(mock.url)/coinbase
        poll:
          - { endpoint: ticker, symbols: [BTC-USD], every: 300ms }
        """.write(toFile: sources + "/coinbase.yaml", atomically: true, encoding: .utf8)
        let run = try RunProcess(
            ["--only", "binance", "--only", "coinbase", "--port", "0", "--store", directory + "/t.sqlite"],
            environment: ["TRIBUTARY_SOURCES_DIR": sources])
        defer { run.signal(SIGKILL) }
        let base = try await run.baseURL()
        // Both sources have delivered (bounded; not a speed expectation).
        for _ in 0..<240 {
            let list = try JSONParser.parse(try await get(base + "/sources").body).arrayValue ?? []
            if list.count == 2, list.allSatisfy({ $0["condition"] == .string("ok") && $0["records"] != .number("0") }) { break }
            try await Task.sleep(for: .milliseconds(250))
        }

        // The page is one document that loads nothing from elsewhere.
        let page = try await get(base + "/")
        #expect(page.status == 200)
        #expect(page.headers["content-type"]?.hasPrefix("text/html") == true)
        for external in ["src=\"http", "href=\"http", "src='http", "@import", "fetch(\"http"] {
            #expect(!page.bodyText.contains(external), "the page refers to another host: \(external)")
        }
        let status = try JSONParser.parse(try await get(base + "/status").body)
        #expect(status["buffer"]?["capacity"] != nil && status["ready"] == .bool(true))
        #expect(status["symbols"]?.arrayValue?.contains(.string("BTC-USD")) == true, "\(status)")
        #expect(try await get(base + "/dead-letters?limit=0").status == 400)

        // Loaded once: every source is a row, the consolidated price is there, the console is silent.
        let (dom, log) = try HeadlessChromium.dumpDOM(base + "/")
        #expect(dom.contains(#"id="source-binance" data-condition="ok""#), "\(dom.prefix(4_000))")
        #expect(dom.contains(#"id="source-coinbase" data-condition="ok""#))
        #expect(dom.contains(#"id="latest-BTC-USD""#))
        #expect(HeadlessChromium.consoleLines(log).isEmpty, "\(HeadlessChromium.consoleLines(log))")
        try FileManager.default.createDirectory(atPath: Self.artifacts, withIntermediateDirectories: true)
        let shot = Self.artifacts + "/dashboard.png"
        try? FileManager.default.removeItem(atPath: shot)
        _ = try HeadlessChromium.screenshot(base + "/", to: shot)
        let png = try Data(contentsOf: URL(fileURLWithPath: shot))
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]) && png.count > 10_000, "\(shot): \(png.count) bytes")

        // Kept open: the tab's title follows the page's own updates.
        let session = try await HeadlessChromium.Session(url: base + "/")
        defer { session.stop() }
        var title: String?
        for _ in 0..<240 where title != "Tributary — all ok" {
            title = try await session.title()
            if title != "Tributary — all ok" { try await Task.sleep(for: .milliseconds(250)) }
        }
        #expect(title == "Tributary — all ok")

        // Every binance call now fails: its breaker opens, and the open page shows it.
        let client = HTTPClient()
        defer { Task { await client.shutdown() } }
        let added = try await client.send(HTTPRequest(method: .post, url: mock.url + "/control/faults", body: Array("binance:5xx".utf8)))
        #expect(added.status == 200, "\(added.bodyText)")
        var openAt: ContinuousClock.Instant?
        for _ in 0..<240 where openAt == nil {
            let list = try JSONParser.parse(try await get(base + "/sources").body).arrayValue ?? []
            if list.first(where: { $0["source"] == .string("binance") })?["state"] == .string("open") {
                openAt = .now
            } else {
                try await Task.sleep(for: .milliseconds(250))
            }
        }
        let opened = try #require(openAt, "binance's breaker never opened")
        // The page polls every 2 s; 30 s only bounds a browser that never updates (a slow machine passes).
        while ContinuousClock.now - opened < .seconds(30), title?.contains("1 open") != true {
            try await Task.sleep(for: .milliseconds(200))
            title = try await session.title()
        }
        #expect(title == "Tributary — 1 open", "title: \(title ?? "none")")
        print("dashboard: the open breaker reached the page's title \(ContinuousClock.now - opened) after /sources showed it")
        #expect(HeadlessChromium.consoleLines(session.log).isEmpty, "\(HeadlessChromium.consoleLines(session.log))")
        run.signal(SIGTERM)
        #expect(await run.wait() == 0)
    }
}
