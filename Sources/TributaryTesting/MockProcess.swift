import Foundation

/// `tributary mock --port 0` running as a real child process, for end-to-end tests.
public final class MockProcess: @unchecked Sendable {
    public let url: String
    private let process: Process

    /// Starts the mock and waits (up to 10 s) for its "listening on" line.
    public init(arguments: [String] = [], environment: [String: String] = [:]) throws {
        let process = Process()
        process.executableURL = Tributary.executable
        process.arguments = ["mock", "--port", "0"] + arguments
        var env = ProcessInfo.processInfo.environment
        env.merge(environment) { $1 }
        process.environment = env
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        var received = Data()
        let deadline = Date().addingTimeInterval(10)
        var found: String?
        while found == nil, Date() < deadline {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            received.append(chunk)
            let text = String(decoding: received, as: UTF8.self)
            if let range = text.range(of: "listening on "), let end = text[range.upperBound...].firstIndex(of: "\n") {
                found = String(text[range.upperBound..<end])
            }
        }
        guard let found else {
            process.terminate()
            throw MockProcessError(output: String(decoding: received, as: UTF8.self))
        }
        url = found
    }

    /// Sends SIGKILL (no graceful drain of requests it is holding, such as an injected hang).
    public func kill() {
        guard process.isRunning else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Sends SIGTERM and waits for the process to end.
    public func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }

    deinit { stop() }
}

public struct MockProcessError: Error, CustomStringConvertible {
    public let output: String
    public var description: String { "tributary mock did not report its address; it printed: \(output)" }
}
