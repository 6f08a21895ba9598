import Foundation

/// Prometheus' `promtool` (Debian `prometheus`, installed by `make test`), run as a child process.
///
/// The metrics exposition, the alert rules and their unit tests are checked with the tool
/// Prometheus users run, not with a parser of our own that could agree with our own mistakes.
public enum Promtool {
    public struct Missing: Error, CustomStringConvertible {
        public var description: String { "promtool not found on PATH: `make test` installs it (apt-get install prometheus)" }
    }

    /// Its path: `PROMTOOL`, else the first `promtool` on `PATH`.
    public static func path() throws -> String {
        let environment = ProcessInfo.processInfo.environment
        if let given = environment["PROMTOOL"], FileManager.default.isExecutableFile(atPath: given) { return given }
        for folder in (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(folder)/promtool"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw Missing()
    }

    /// Runs `promtool arguments…` in `directory`, `input` on its standard input; its exit status and
    /// everything it printed (both streams).
    public static func run(_ arguments: [String], input: String = "", in directory: String? = nil) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try path())
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let stdin = Pipe(), output = Pipe()
        process.standardInput = stdin
        process.standardOutput = output
        process.standardError = output
        try process.run()
        try stdin.fileHandleForWriting.write(contentsOf: Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let printed = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: printed, as: UTF8.self))
    }
}
