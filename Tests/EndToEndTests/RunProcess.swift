import Foundation
import Synchronization
import Transport
import TributaryCore
import TributaryTesting

/// `tributary run …` as a child process: its output gathered as it arrives, its status URL,
/// signals, and the final "stopped" line's counts.
final class RunProcess: @unchecked Sendable {
    let process = Process()
    let stdout = OutputCollector()
    let stderr = OutputCollector()
    private let outPipe = Pipe()
    private let errPipe = Pipe()

    /// `tributary COMMAND ARGS…` (`run` unless said otherwise; `sink` prints the same status line).
    init(_ arguments: [String], command: String = "run", environment: [String: String] = [:], binary: URL = Tributary.executable) throws {
        process.executableURL = binary
        process.arguments = [command] + arguments
        var env = ProcessInfo.processInfo.environment
        env.merge(environment) { $1 }
        process.environment = env
        process.standardOutput = outPipe
        process.standardError = errPipe
        let (out, err) = (stdout, stderr)
        outPipe.fileHandleForReading.readabilityHandler = { out.append($0.availableData) }
        errPipe.fileHandleForReading.readabilityHandler = { err.append($0.availableData) }
        try process.run()
    }

    /// The base URL of the HTTP surface, once it has printed it. `timeout` only bounds a process
    /// that never prints it: with every suite running at once the line has taken over 20 s to be
    /// seen, so the bound is far from any machine's speed.
    func baseURL(timeout: Duration = .seconds(180)) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let line = stdout.text.split(separator: "\n").first(where: { $0.hasPrefix("status: ") }) {
                // "status: http://127.0.0.1:PORT/sources (…)": the scheme, host and port.
                let url = line.dropFirst(8).prefix { $0 != " " }
                guard let path = url.dropFirst("http://".count).firstIndex(of: "/") else { return String(url) }
                return String(url[..<path])
            }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw RunProcessError("no status line; stdout: \(stdout.text) stderr: \(stderr.text)")
    }

    func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    /// Waits until standard error holds `text` (true) or the process ends without it (false);
    /// `timeout` only bounds a process that neither prints it nor ends.
    func waitForStandardError(_ text: String, timeout: Duration = .seconds(300)) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if stderr.text.contains(text) { return true }
            guard process.isRunning else { return stderr.text.contains(text) }
            try await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    /// Waits for the process to end (up to `timeout`, then kills it) and returns its status.
    func wait(timeout: Duration = .seconds(30)) async -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(50)) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
        outPipe.fileHandleForReading.readabilityHandler = nil
        errPipe.fileHandleForReading.readabilityHandler = nil
        stdout.append(outPipe.fileHandleForReading.readDataToEndOfFile())
        stderr.append(errPipe.fileHandleForReading.readDataToEndOfFile())
        return process.terminationStatus
    }

    /// A number from the final "tributary run: stopped; …" (or `sink`) line, after `label`.
    func final(_ label: String) -> Int? {
        guard let line = stdout.text.split(separator: "\n").last(where: { $0.hasPrefix("tributary run: stopped") || $0.hasPrefix("tributary sink: stopped") }),
            let range = line.range(of: label)
        else { return nil }
        return Int(line[range.upperBound...].prefix { $0.isNumber })
    }
}

struct RunProcessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A temporary folder removed by the test's `defer`.
func temporaryDirectory(_ name: String) throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("tributary-\(name)-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// One GET on loopback.
func get(_ url: String) async throws -> HTTPResponse {
    let client = HTTPClient()
    defer { Task { await client.shutdown() } }
    return try await client.send(HTTPRequest(url: url))
}

/// A Sources.d folder with one Binance source at `mock`, polling what `poll` lists.
func sourcesDirectory(mock: String, poll: [String], in directory: String) throws -> String {
    let folder = directory + "/sources"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    try """
    id: binance
    base_url: \(mock)/binance
    auth: { kind: hmac-sha256, key_env: BINANCE_API_KEY, secret_env: BINANCE_API_SECRET }
    rate_limit: { capacity: 100000, refill_per_second: 100000 }
    max_concurrent: 16
    timeouts: { connect_ms: 2000, total_ms: 20000 }
    poll:
    \(poll.map { "  - " + $0 }.joined(separator: "\n"))
    """.write(toFile: folder + "/binance.yaml", atomically: true, encoding: .utf8)
    return folder
}
