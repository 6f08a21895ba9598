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
        guard let found = ExternalTool.find(["promtool"], override: "PROMTOOL") else { throw Missing() }
        return found
    }

    /// Runs `promtool arguments…` in `directory`, `input` on its standard input; its exit status and
    /// everything it printed (both streams).
    public static func run(_ arguments: [String], input: String = "", in directory: String? = nil) throws -> (status: Int32, output: String) {
        try ExternalTool.run(try path(), arguments, input: input, in: directory)
    }
}
