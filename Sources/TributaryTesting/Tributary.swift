import Foundation

/// Runs the built `tributary` executable, for end-to-end tests.
public enum Tributary {
    public struct Run: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    /// The binary next to the test bundle (SwiftPM builds it because the test target depends on it).
    public static var executable: URL {
        if let override = ProcessInfo.processInfo.environment["TRIBUTARY_BINARY"] {
            return URL(fileURLWithPath: override)
        }
        let bundle = Bundle.main.bundleURL
        let candidates = [bundle.deletingLastPathComponent(), bundle]
        for directory in candidates {
            let url = directory.appendingPathComponent("tributary")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return PackageRoot.url.appendingPathComponent(".build/debug/tributary")
    }

    /// The optimized binary for the heavy end-to-end tests (a million-row import), when
    /// `make test` built one (`TRIBUTARY_RELEASE_BINARY`); else the debug one (slower, same code).
    public static var releaseExecutable: URL {
        if let path = ProcessInfo.processInfo.environment["TRIBUTARY_RELEASE_BINARY"], FileManager.default.isExecutableFile(atPath: path) {
            return URL(fileURLWithPath: path)
        }
        return executable
    }

    /// Runs `tributary ARGS…` to completion and returns its exit status and output.
    public static func run(_ arguments: [String], environment: [String: String] = [:], binary: URL = executable) throws -> Run {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env.merge(environment) { $1 }
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read both pipes before waiting, so a chatty child cannot fill a pipe and stall.
        let group = DispatchGroup()
        nonisolated(unsafe) var outData = Data(), errData = Data()
        group.enter()
        DispatchQueue.global().async {
            outData = out.fileHandleForReading.readDataToEndOfFile(); group.leave()
        }
        errData = err.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData, as: UTF8.self))
    }
}
