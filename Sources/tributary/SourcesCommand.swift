import ArgumentParser
import Connectors
import Engine
import Foundation
import Resilience
import TributaryCore

/// `tributary sources`: what is registered and how each source is protected.
struct SourcesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sources",
        abstract: "List the sources, their endpoints, base URLs and resilience settings.",
        subcommands: [List.self],
        defaultSubcommand: List.self
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "One line per source: endpoints, base URL, rate limit, breaker, retries, state.",
            discussion: "A one-shot command starts every breaker closed; the live state of a running aggregator is at /sources."
        )

        func run() async throws {
            var rows: [[String]] = [["SOURCE", "ENDPOINTS", "BASE URL", "RATE LIMIT", "BREAKER", "RETRY", "STATE", "NEXT ALLOWED", "REASON"]]
            for id in ConnectorRegistry.sourceIDs {
                let connector = try ConnectorRegistry.connector(for: id.rawValue)
                let settings = ResilienceDefaults.settings(for: id)
                let guardian = SourceGuard(source: id.rawValue, settings: settings, clock: ContinuousClock())
                let limit = settings.rateLimit.map { "\(Int($0.capacity)) burst, \(Self.number($0.refillPerSecond))/s" } ?? "none"
                let b = settings.breaker
                rows.append([
                    id.rawValue,
                    connector.endpoints.map(\.name).joined(separator: ","),
                    SourceURIRedactor.redact(connector.baseURL),
                    limit,
                    "\(b.failureThreshold) in a row or \(Int(b.failureRateThreshold * 100))% of \(b.windowSize); open \(b.openDuration.components.seconds) s",
                    "\(settings.retry.maxAttempts) attempts, \(settings.retry.backoff.jitter.rawValue) jitter",
                    guardian.status.state,
                    guardian.status.nextAllowedAt?.rfc3339 ?? "now",
                    guardian.status.reason ?? "-",
                ])
            }
            print(TextTable.render(rows), terminator: "")
        }

        static func number(_ value: Double) -> String {
            value == value.rounded() ? String(Int(value)) : String(value)
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
