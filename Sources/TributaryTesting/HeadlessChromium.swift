import Foundation
import Transport
import TributaryCore

#if canImport(Glibc)
    import Glibc
#endif

/// Debian's `chromium`, headless, for tests of the dashboard page (installed by `make test`).
///
/// Two ways to drive it, both without a WebSocket client: one-shot runs (`--dump-dom`,
/// `--screenshot`) after the page's scripts ran for a virtual-time budget, and a long-running
/// ``Session`` whose open tab's title is read through the DevTools HTTP endpoint `/json/list`.
/// Console messages (`console.*`, uncaught exceptions) come from its log on standard error.
///
/// Every run gets its own profile folder and its own process group, and the whole group is
/// killed by its id when the run ends, so no renderer or zygote process outlives a test.
public enum HeadlessChromium {
    public struct Missing: Error, CustomStringConvertible {
        public var description: String { "chromium not found on PATH: `make test` installs it (apt-get install chromium)" }
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Its path: `CHROMIUM`, else `chromium` or `chromium-browser` on `PATH`.
    public static func path() throws -> String {
        guard let found = ExternalTool.find(["chromium", "chromium-browser"], override: "CHROMIUM") else { throw Missing() }
        return found
    }

    /// Console lines in chromium's log (`…:INFO:CONSOLE:…] "message", source: …`).
    public static func consoleLines(_ log: String) -> [String] {
        log.split(separator: "\n").filter { $0.contains(":CONSOLE") }.map(String.init)
    }

    static func arguments(profile: String) -> [String] {
        [
            "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions", "--disable-background-networking",
            "--enable-logging=stderr", "--v=0", "--user-data-dir=\(profile)",
        ]
    }

    /// Loads `url`, lets its scripts run for `budget` of virtual time, and returns the DOM and the log.
    public static func dumpDOM(_ url: String, budget: Duration = .seconds(5), timeout: Duration = .seconds(120)) throws -> (dom: String, log: String) {
        try oneShot(["--virtual-time-budget=\(budget.nanosecondsCount / 1_000_000)", "--dump-dom", url], timeout: timeout)
    }

    /// Saves a PNG of `url` at `width`×`height` after `budget` of virtual time.
    public static func screenshot(
        _ url: String, to path: String, width: Int = 1500, height: Int = 1000, budget: Duration = .seconds(5),
        timeout: Duration = .seconds(120)
    ) throws -> String {
        try oneShot(
            ["--virtual-time-budget=\(budget.nanosecondsCount / 1_000_000)", "--window-size=\(width),\(height)", "--screenshot=\(path)", url],
            timeout: timeout
        ).log
    }

    static func oneShot(_ extra: [String], timeout: Duration) throws -> (dom: String, log: String) {
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("tributary-chromium-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: profile) }
        let child = try Child(arguments: arguments(profile: profile) + extra)
        defer { child.stop() }
        guard child.wait(timeout: timeout) else { throw Failure(description: "chromium did not finish within \(timeout)") }
        return (child.stdout.text, child.stderr.text)
    }

    /// A browser that stays open on one page; its tab's title is read while the page updates itself.
    public final class Session: @unchecked Sendable {
        private let child: Child
        private let profile: String
        /// The DevTools HTTP endpoint, `http://127.0.0.1:PORT`.
        public let devTools: String

        public init(url: String, width: Int = 1500, height: Int = 1000, timeout: Duration = .seconds(120)) async throws {
            profile = FileManager.default.temporaryDirectory.appendingPathComponent("tributary-chromium-\(UUID().uuidString)").path
            child = try Child(
                arguments: HeadlessChromium.arguments(profile: profile)
                    + ["--remote-debugging-port=0", "--remote-debugging-address=127.0.0.1", "--window-size=\(width),\(height)", url])
            let deadline = ContinuousClock.now + timeout
            var found: String?
            while found == nil, ContinuousClock.now < deadline, child.isRunning {
                found = Session.devToolsAddress(in: child.stderr.text)
                if found == nil { try await Task.sleep(for: .milliseconds(100)) }
            }
            guard let found else {
                child.stop()
                try? FileManager.default.removeItem(atPath: profile)
                throw Failure(description: "chromium printed no DevTools address within \(timeout): \(child.stderr.text.suffix(2_000))")
            }
            devTools = found
        }

        /// `http://127.0.0.1:PORT` from `DevTools listening on ws://127.0.0.1:PORT/devtools/browser/…`.
        static func devToolsAddress(in log: String) -> String? {
            guard let range = log.range(of: "DevTools listening on ws://") else { return nil }
            let rest = log[range.upperBound...]
            guard let slash = rest.firstIndex(of: "/") else { return nil }
            return "http://" + rest[..<slash]
        }

        /// The title of the open page (nil before the page has one).
        public func title() async throws -> String? {
            let client = HTTPClient()
            defer { Task { await client.shutdown() } }
            let response = try await client.send(HTTPRequest(url: devTools + "/json/list"))
            let pages = try JSONParser.parse(response.body).arrayValue ?? []
            return pages.first { $0["type"] == .string("page") }?["title"]?.stringValue
        }

        /// Everything chromium logged so far.
        public var log: String { child.stderr.text }

        /// Ends the browser and every process it started; removes its profile.
        public func stop() {
            child.stop()
            try? FileManager.default.removeItem(atPath: profile)
        }

        deinit { stop() }
    }

    /// Chromium in a process group of its own (Foundation's `Process` makes each child a group
    /// leader; chromium's helpers stay in its group), its output gathered as it comes.
    final class Child: @unchecked Sendable {
        let process = Process()
        let stdout = OutputCollector()
        let stderr = OutputCollector()

        init(arguments: [String]) throws {
            let chromium = try HeadlessChromium.path()
            process.executableURL = URL(fileURLWithPath: chromium)
            process.arguments = arguments
            let out = Pipe(), err = Pipe()
            process.standardOutput = out
            process.standardError = err
            process.standardInput = FileHandle.nullDevice
            let (o, e) = (stdout, stderr)
            out.fileHandleForReading.readabilityHandler = { o.append($0.availableData) }
            err.fileHandleForReading.readabilityHandler = { e.append($0.availableData) }
            try process.run()
        }

        var isRunning: Bool { process.isRunning }

        /// Whether it exited within `timeout`.
        func wait(timeout: Duration) -> Bool {
            let deadline = ContinuousClock.now + timeout
            while process.isRunning, ContinuousClock.now < deadline { usleep(20_000) }
            guard !process.isRunning else { return false }
            // What it wrote last may still be in the pipes.
            usleep(100_000)
            return true
        }

        /// SIGTERM to the whole group, then SIGKILL to what is left.
        func stop() {
            let group = process.processIdentifier
            guard group > 0 else { return }
            kill(-group, SIGTERM)
            let deadline = ContinuousClock.now + .seconds(5)
            while process.isRunning, ContinuousClock.now < deadline { usleep(20_000) }
            kill(-group, SIGKILL)
        }
    }
}
