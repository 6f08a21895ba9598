import ArgumentParser
import Connectors
import Engine
import Foundation
import Pipeline
import Service
import TributaryCore

/// `tributary import FILE|DIR …`: CSV (plain or .gz) into the store, in atomic, resumable batches.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import CSV files (or every *.csv / *.csv.gz in a folder) into the store as records.",
        discussion: """
            The schema is inferred from the first rows (printed; pin it with --schema), rows are mapped to records by \
            --rules (or the source's Sources.d `rules:`), and committed in batches that are all-or-nothing. Bad rows go to \
            the dead letters with file, line, column and reason (--strict: abort and commit nothing; --check: write nothing, \
            list the bad rows). Re-running resumes after the last committed batch; importing the same file again adds nothing.
            """
    )

    @Argument(help: "CSV files or folders.", completion: Completions.csvFiles) var paths: [String]
    @Option(help: "The source the records belong to (its Sources.d `rules:` apply unless --rules is given).", completion: Completions.sources)
    var source: String
    @Option(help: "Normalization rules (YAML): rename, kind, defaults, symbols, scale, timezone, keep/drop.", completion: Completions.yamlFiles)
    var rules: String?
    @Option(help: "Pin the schema (the YAML this command prints) instead of inferring it.", completion: Completions.yamlFiles) var schema: String?
    @Option(help: "Rows per transaction.") var batchSize = 10_000
    @Option(help: "Rows sampled to infer the schema.") var sample = 1_000
    @Flag(help: "Abort on the first bad row and commit nothing.") var strict = false
    @Flag(help: "Import files again even if they were imported completely before.") var force = false
    @Flag(help: "Read, validate and normalize every row (schema, rules, record model, content hash) and report; write nothing to the store.") var check = false
    @Option(
        help:
            "The store: sqlite:PATH or a file path (default: store.url / store.path of tributary.yaml or TRIBUTARY_STORE_URL / TRIBUTARY_STORE_PATH, else data/tributary.sqlite)."
    ) var store: String?
    @Option(help: "Engine settings file (YAML).", completion: Completions.yamlFiles) var config: String?

    func validate() throws {
        guard (1...1_000_000).contains(batchSize) else { throw ValidationError("--batch-size must be 1…1000000") }
        guard (1...1_000_000).contains(sample) else { throw ValidationError("--sample must be 1…1000000") }
        guard !source.isEmpty, source.allSatisfy({ $0.isLowercase || $0.isNumber || $0 == "-" || $0 == "_" }) else {
            throw ValidationError("--source '\(source)': use a lower-case id such as acme or my-feed")
        }
    }

    func run() async throws {
        let environment = try await RuntimeEnvironment.load()
        let target = try await ServiceSettings.load(config: config, store: store).openStore()
        var options = CSVImport.Options(source: SourceID(source))
        options.batchSize = batchSize
        options.sampleSize = sample
        options.strict = strict
        options.force = force
        if let rules {
            let (parsed, problems) = NormalizationRulesLoader.parse(try Self.read(rules), file: rules)
            guard let parsed else { throw CLIError(problems.map(\.description).joined(separator: "\n")) }
            options.rules = parsed
        } else {
            let catalog = SourceCatalog(directories: SourceDirectories.search(environment: environment))
            options.rules = catalog.definitions[SourceID(source)]?.rules
        }
        if let schema {
            let (parsed, problems) = CSVSchemaLoader.parse(try Self.read(schema), file: schema)
            guard let parsed else { throw CLIError(problems.map(\.description).joined(separator: "\n")) }
            options.schema = parsed
        }
        let files = try Self.expand(paths)
        guard !files.isEmpty else { throw CLIError("no CSV files in \(paths.joined(separator: " ")) (looked for *.csv and *.csv.gz)") }
        let importer = CSVImport(store: target, options: options)
        let terminal = isatty(STDERR_FILENO) == 1
        if check {
            try await Self.check(files, importer: importer, terminal: terminal)
            return
        }
        var totals = (rows: 0, stored: 0, duplicates: 0, bad: 0)
        // Files with rows of which none became a record: the import as a whole failed.
        var allBad: [String] = []
        for file in files {
            let started = ContinuousClock.now
            let report = try await Self.withProgress(terminal: terminal) { progress in try await importer.run(path: file, progress: progress) }
            if report.alreadyImported {
                print("\(file): already imported (\(report.rows) rows, \(report.sha256.prefix(19))…); nothing to do (--force to import again)")
                continue
            }
            print(Self.schemaHeading(file, sampled: report.sampled, pinned: options.schema != nil))
            print(report.schema.yaml, terminator: "")
            if !report.newColumns.isEmpty { print("  new columns for \(source), recorded: \(report.newColumns.joined(separator: ", "))") }
            let seconds = ProgressLine.seconds(ContinuousClock.now - started)
            print(
                String(
                    format: "%@: %d rows%@ → %d stored, %d already there, %d bad (dead letters) in %d batches; %.1f MB/s",
                    file, report.rows, report.resumedAfter > 0 ? " (resumed after \(report.resumedAfter))" : "", report.stored,
                    report.duplicates, report.badRows, report.batches, Double(report.bytes) / 1_048_576 / seconds))
            if report.fixedRows + report.failedAgainRows > 0 {
                print(
                    "\(file): earlier dead letters of this file resolved: \(report.fixedRows) rows now imported, \(report.failedAgainRows) failed again (their newer dead letters replace them)"
                )
            }
            totals.rows += report.rows
            totals.stored += report.stored
            totals.duplicates += report.duplicates
            totals.bad += report.badRows
            if report.rows > 0, report.badRows == report.rows { allBad.append(file) }
        }
        print(
            "import: \(files.count) file(s), \(totals.rows) rows, \(totals.stored) stored, \(totals.duplicates) already there, \(totals.bad) bad\(totals.bad > 0 ? " (see `tributary dlq list --source \(source)`)" : "")"
        )
        if !allBad.isEmpty {
            throw CLIError(
                "import: every row of \(allBad.joined(separator: ", ")) was bad; check --rules and the columns (`--check` lists each row's problem without writing)"
            )
        }
    }

    /// Runs one file's import or check with the progress line on a terminal (cleared after), a
    /// failure of the file turned into the command's error.
    static func withProgress<Report>(terminal: Bool, _ body: (_ progress: (CSVImport.Progress) -> Void) async throws -> Report) async throws -> Report {
        let started = ContinuousClock.now
        do {
            let report = try await body { progress in
                guard terminal else { return }
                FileHandle.standardError.write(Data(ProgressLine.render(progress, elapsed: ContinuousClock.now - started).utf8))
            }
            if terminal { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
            return report
        } catch let failure as CSVImport.Failure {
            if terminal { FileHandle.standardError.write(Data("\n".utf8)) }
            throw CLIError(failure.description)
        }
    }

    /// The line above the schema an import or a check prints: pinned, or inferred from how many rows.
    static func schemaHeading(_ file: String, sampled: Int, pinned: Bool) -> String {
        "\(file): schema\(pinned ? " (pinned)" : " (inferred from \(sampled) row\(sampled == 1 ? "" : "s"))"):"
    }

    /// `--check`: each file converted exactly as an import converts it, nothing written; exits
    /// non-zero when any row is bad, so a script can gate an import on it.
    static func check(_ files: [String], importer: CSVImport, terminal: Bool) async throws {
        var bad = 0
        for file in files {
            let started = ContinuousClock.now
            let report = try await Self.withProgress(terminal: terminal) { progress in try await importer.check(path: file, progress: progress) }
            let seconds = ProgressLine.seconds(ContinuousClock.now - started)
            print(Self.schemaHeading(file, sampled: report.sampled, pinned: importer.options.schema != nil))
            print(report.schema.yaml, terminator: "")
            for problem in report.problems { print("  \(problem)") }
            if report.badRows > report.problems.count { print("  … and \(report.badRows - report.problems.count) more bad rows") }
            print(
                String(
                    format: "%@: checked %d rows → %d valid records, %d bad; nothing written; %.1f MB/s",
                    file, report.rows, report.valid, report.badRows, Double(report.bytes) / 1_048_576 / seconds))
            bad += report.badRows
        }
        if bad > 0 { throw CLIError("check: \(bad) bad row(s); an import would keep them as dead letters (--strict would import nothing)") }
    }

    static func read(_ path: String) throws -> String {
        do { return try String(contentsOfFile: path, encoding: .utf8) } catch { throw CLIError("cannot read \(path): \(error.localizedDescription)") }
    }

    /// Files as given, and each folder's *.csv / *.csv.gz in name order.
    static func expand(_ paths: [String]) throws -> [String] {
        var files: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw CLIError("\(path): no such file or folder") }
            if isDirectory.boolValue {
                let names = try FileManager.default.contentsOfDirectory(atPath: path).filter { $0.hasSuffix(".csv") || $0.hasSuffix(".csv.gz") }.sorted()
                files += names.map { path + "/" + $0 }
            } else {
                files.append(path)
            }
        }
        return files
    }
}

/// The progress line on a terminal: rows, MB/s, and the ETA when the size is known.
enum ProgressLine {
    /// A duration in seconds for a rate (at least 1 ms, so a rate is never divided by zero).
    static func seconds(_ elapsed: Duration) -> Double {
        max(0.001, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }

    static func render(_ progress: CSVImport.Progress, elapsed: Duration) -> String {
        let seconds = seconds(elapsed)
        let rate = Double(progress.bytes) / seconds
        var line = String(format: "\r\u{1B}[K%d rows, %.1f MB, %.1f MB/s", progress.rows, Double(progress.bytes) / 1_048_576, rate / 1_048_576)
        if let total = progress.totalBytes, total > 0, rate > 0 {
            let fraction = min(1, Double(progress.bytes) / Double(total))
            let filled = Int(fraction * 20)
            line += " [" + String(repeating: "#", count: filled) + String(repeating: ".", count: 20 - filled) + "]"
            line += String(format: " %.0f%%, ETA %.0f s", fraction * 100, Double(total - progress.bytes) / rate)
        }
        return line
    }
}
