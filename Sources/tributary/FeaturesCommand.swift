import ArgumentParser
import Engine
import Features
import Foundation
import Pipeline
import Service
import TributaryCore

/// `tributary features list | backfill | export`: the feature sets of Features.d, their backfill, their rows.
struct FeaturesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "features",
        abstract: "Windowed features (Features.d): list the sets, backfill them from stored records, export their rows.",
        subcommands: [List.self, Backfill.self, Export.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Check and list the feature sets.")
        @Option(help: "The feature sets' directory (default: TRIBUTARY_FEATURES_DIR).") var features: String?

        func run() async throws {
            let sets = try FeatureSets.load(features)
            if sets.isEmpty { print("no feature sets (pass --features DIR, e.g. --features Features.d, or set TRIBUTARY_FEATURES_DIR)") }
            for set in sets {
                let input = [
                    set.input.kind.rawValue + "s",
                    set.input.sources.map { "from " + $0.map(\.rawValue).sorted().joined(separator: ",") } ?? "from every source",
                    set.input.symbols.map { "for " + $0.sorted().joined(separator: ",") } ?? "for every symbol",
                ].joined(separator: " ")
                print(
                    "\(set.name) v\(set.version): \(input); windows \(set.windows.map(\.description).joined(separator: ", ")); "
                        + "features \(set.features.map(\.name).joined(separator: ", ")); watermark \(DurationText.format(.nanoseconds(set.watermark))), "
                        + "late \(set.late.rawValue) (lateness \(DurationText.format(.nanoseconds(set.lateness))))")
            }
        }
    }

    struct Backfill: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compute a set's features from stored records, with the code `run` streams them with.",
            discussion: """
                Resumable: progress (the last record read and the engine's state) commits with each batch of rows, so a
                killed backfill continues where it stopped; --restart starts over. Rows already stored with the same content
                are left unchanged; different ones become a new revision.
                Times for --from (inclusive) and --to (exclusive): \(TimeText.relativeHelp). With --to, every window ending
                by then is emitted; without it, windows close as far as the newest record's watermark, as when streaming.
                Example: tributary features backfill --set bars --from -7d
                """
        )
        @Option(help: "The feature set's name.") var set: String
        @Option(help: "From this event time (inclusive).") var from: String?
        @Option(help: "Up to this event time (exclusive).") var to: String?
        @Option(help: "Only this symbol.") var symbol: String?
        @Option(help: "Only this source id.") var source: String?
        @Flag(help: "Ignore a saved checkpoint and start over.") var restart = false
        @Option(help: "The feature sets' directory (default: TRIBUTARY_FEATURES_DIR).") var features: String?
        @Option(help: "The store: sqlite:PATH, postgres://… or a file path (default: store.url / store.path, else data/tributary.sqlite).") var store: String?
        @Option(help: "Engine settings file (YAML).") var config: String?

        func run() async throws {
            let sets = try FeatureSets.load(features)
            guard let chosen = sets.first(where: { $0.name == self.set }) else {
                throw CLIError("--set '\(self.set)': no such feature set (sets: \(sets.isEmpty ? "none" : sets.map(\.name).joined(separator: ", ")))")
            }
            let now = UTCTimestamp.now()
            let range = FeatureBackfill.Range(
                from: try CommandOptions.time(from, "--from", now: now), to: try CommandOptions.time(to, "--to", now: now), symbol: symbol,
                source: source.map { SourceID($0) })
            if let start = range.from, let end = range.to, end <= start { throw CLIError("--to (\(end.rfc3339)) must be after --from (\(start.rfc3339))") }
            let storeHandle = try await ServiceSettings.load(config: config, store: store).openExistingStore()
            let backfill = FeatureBackfill(set: chosen, records: storeHandle, store: storeHandle)
            let report = try await backfill.run(range, restart: restart)
            let counters = report.counters
            print(
                "features backfill \(chosen.name) v\(chosen.version): \(report.records) records"
                    + (report.resumedAfter > 0 ? " (resumed after \(report.resumedAfter))" : "")
                    + " → \(report.inserted) new rows, \(report.updated) revised, \(report.unchanged) unchanged; "
                    + "\(counters.duplicates) duplicates, \(counters.lateDropped) late dropped, \(report.gaps) sequence gaps")
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a feature set's stored rows as CSV or JSON Lines, oldest first, streamed from the store.",
            discussion: """
                Times for --from (inclusive) and --to (exclusive) are window starts: \(TimeText.relativeHelp).
                Example: tributary features export --set bars --symbol BTC-USDT --window 1m --from -1d --format csv
                """
        )
        @Option(help: "The feature set's name.") var set: String
        @Option(help: "The set's version.") var version = 1
        @Option(help: "Only this symbol.") var symbol: String?
        @Option(help: "Only this window (e.g. 1m, 5m/1m).") var window: String?
        @Option(help: "From this window start (inclusive).") var from: String?
        @Option(help: "Up to this window start (exclusive).") var to: String?
        @Option(help: "csv or jsonl.", completion: Completions.formats) var format = "csv"
        @Option(help: "Write to this file instead of standard output.") var output: String?
        @Option(help: "The store: sqlite:PATH, postgres://… or a file path (default: store.url / store.path, else data/tributary.sqlite).") var store: String?
        @Option(help: "Engine settings file (YAML).") var config: String?

        func run() async throws {
            guard let format = RecordExport.Format(rawValue: format) else { throw CLIError("--format '\(format)': use csv or jsonl") }
            let now = UTCTimestamp.now()
            let query = FeatureExport.Query(
                set: set, version: version, symbol: symbol, window: window, from: try CommandOptions.time(from, "--from", now: now),
                to: try CommandOptions.time(to, "--to", now: now))
            let reader = try await ServiceSettings.load(config: config, store: store).openExistingStore()
            let handle = try CommandOptions.outputHandle(output)
            let count = try await FeatureExport.stream(from: reader, query, format: format) { bytes in try handle.write(contentsOf: bytes) }
            if output != nil { try handle.close() }
            FileHandle.standardError.write(Data("exported \(count) row\(count == 1 ? "" : "s") of \(set) v\(version)\n".utf8))
        }
    }
}
