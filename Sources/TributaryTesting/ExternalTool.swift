import Foundation
import Synchronization

/// A program from the machine that a test drives (promtool, chromium, ldd, dpkg): found on
/// `PATH` (or where a variable says), run to completion with its output gathered.
public enum ExternalTool {
    /// `override` (an environment variable naming the program's path) when it is set and
    /// executable, else the first of `names` in a `PATH` folder; nil when there is none.
    public static func find(_ names: [String], override: String) -> String? {
        let environment = ProcessInfo.processInfo.environment
        if let given = environment[override], FileManager.default.isExecutableFile(atPath: given) { return given }
        for folder in (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            for name in names where FileManager.default.isExecutableFile(atPath: "\(folder)/\(name)") { return "\(folder)/\(name)" }
        }
        return nil
    }

    /// Runs `path arguments…` in `directory` with `input` on its standard input; its exit status
    /// and everything it printed (both streams).
    public static func run(_ path: String, _ arguments: [String], input: String = "", in directory: String? = nil) throws -> (
        status: Int32, output: String
    ) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
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

/// Output of a child process gathered as it arrives (from a pipe's readability handler).
public final class OutputCollector: Sendable {
    private let data = Mutex(Data())
    public init() {}
    public func append(_ chunk: Data) { data.withLock { $0.append(chunk) } }
    public var text: String { data.withLock { String(decoding: $0, as: UTF8.self) } }
}
