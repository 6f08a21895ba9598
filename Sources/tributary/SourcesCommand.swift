import ArgumentParser
import Connectors
import Engine
import Foundation
import Resilience
import TributaryCore

/// `tributary sources`: what is registered, how each source is protected, and whether the
/// Sources.d files are valid.
struct SourcesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sources",
        abstract: "List the sources, or check the Sources.d files.",
        subcommands: [List.self, Check.self],
        defaultSubcommand: List.self
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "One line per source: endpoints, base URL, keys present, rate limit, breaker, retries, state.",
            discussion:
                "Key values are never printed, only whether each variable is set. A one-shot command starts every breaker closed; a running aggregator serves the live state at /sources."
        )

        func run() async throws {
            let environment = try await RuntimeEnvironment.load()
            let catalog = SourceCatalog(directories: SourceDirectories.search(environment: environment))
            var rows: [[String]] = [["SOURCE", "ENDPOINTS", "BASE URL", "KEYS", "RATE LIMIT", "BREAKER", "RETRY", "STATE", "NEXT ALLOWED", "REASON"]]
            for id in catalog.sourceIDs {
                if let definition = catalog.definitions[id], definition.isPushOnly, let push = definition.push {
                    let keys = push.secretEnv.map { "\($0)=\((environment[$0] ?? "").isEmpty ? "missing" : "set")" } ?? "unsigned"
                    let limit = push.rateLimit.map { "\(Int($0.capacity)) burst, \(Self.number($0.refillPerSecond))/s" } ?? "none"
                    rows.append([
                        id.rawValue, "(push)", "POST /ingest/\(id.rawValue)", keys, limit, "-", "-", "receives pushes", "-",
                        push.signatureScheme.map { "signed: \($0)" } ?? "unsigned",
                    ])
                    continue
                }
                guard let connector = try? catalog.connector(for: id.rawValue, environment: environment) else {
                    rows.append([id.rawValue, "-", "-", "-", "-", "-", "-", "invalid file", "-", "run `tributary sources check`"])
                    continue
                }
                let definition = catalog.definitions[id]
                let settings = ResilienceSettings(definition: definition, source: id)
                let guardian = SourceGuard(source: id.rawValue, settings: settings, clock: ContinuousClock())
                let variables = Set(definition?.credentialVariables ?? [] + connector.endpoints.flatMap(\.credentials)).sorted()
                let keys =
                    variables.isEmpty
                    ? "none needed"
                    : variables.map { "\($0)=\((environment[$0] ?? "").isEmpty ? "missing" : "set")" }.joined(separator: " ")
                let limit = settings.rateLimit.map { "\(Int($0.capacity)) burst, \(Self.number($0.refillPerSecond))/s" } ?? "none"
                let b = settings.breaker
                rows.append([
                    id.rawValue,
                    connector.endpoints.map(\.name).joined(separator: ","),
                    SourceURIRedactor.redact(connector.baseURL),
                    keys,
                    limit,
                    "\(b.failureThreshold) in a row or \(Int(b.failureRateThreshold * 100))% of \(b.windowSize); open \(b.openDuration.components.seconds) s",
                    "\(settings.retry.maxAttempts) attempts, \(settings.retry.backoff.jitter.rawValue) jitter",
                    guardian.status.state,
                    guardian.status.nextAllowedAt?.rfc3339 ?? "now",
                    guardian.status.reason ?? "-",
                ])
            }
            print(TextTable.render(rows), terminator: "")
            if !catalog.problems.isEmpty {
                FileHandle.standardError.write(Data("\(catalog.problems.count) problem(s) in Sources.d; run `tributary sources check`\n".utf8))
            }
        }

        static func number(_ value: Double) -> String {
            value == value.rounded() ? String(Int(value)) : String(value)
        }
    }

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check",
            abstract: "Validate every Sources.d file; each mistake with file, line, column and fix. Exit 1 if any.",
            discussion: "Reads the shipped Sources.d and TRIBUTARY_SOURCES_DIR, or only the directories given."
        )

        @Argument(help: "Directories to check instead of the usual ones.")
        var directories: [String] = []

        func run() async throws {
            let catalog = SourceCatalog(directories: directories.isEmpty ? SourceDirectories.search() : directories)
            for problem in catalog.problems { print(problem) }
            let polls = catalog.pollProblems()
            for problem in polls { print(problem) }
            let valid = catalog.definitions.count
            let count = catalog.problems.count + polls.count
            print("\(catalog.files.count) file(s) in \(catalog.directories.joined(separator: ", ")): \(valid) valid, \(count) problem(s)")
            if count > 0 { throw ExitCode(1) }
        }
    }
}

/// Aligned columns separated by two spaces.
enum TextTable {
    static func render(_ rows: [[String]]) -> String {
        let widths = (0..<(rows.first?.count ?? 0)).map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            var line = zip(row, widths).map { $0 + String(repeating: " ", count: $1 - $0.count) }.joined(separator: "  ")
            while line.last == " " { line.removeLast() }
            return line + "\n"
        }.joined()
    }
}
