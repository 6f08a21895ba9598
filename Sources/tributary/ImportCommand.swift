import App
import ArgumentParser
import Connectors
import Engine
import Foundation
import Pipeline
import Resilience
import Service
import Transport
import TributaryCore

/// `tributary import FILE|DIR|s3://BUCKET/PREFIX …`: CSV (plain or .gz) into the store, in
/// atomic, resumable batches; a folder or a bucket prefix as the delta since the last import.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import CSV / NDJSON / JSON files, folders or S3 bucket prefixes into the store as records.",
        discussion: """
            The schema is inferred from the first rows (printed; pin it with --schema), rows are mapped to records by \
            --rules (or the source's Sources.d `rules:`), and committed in batches that are all-or-nothing. Bad rows go to \
            the dead letters with file, line, column and reason (--strict: abort and commit nothing; --check: write nothing, \
            list the bad rows). Re-running resumes after the last committed batch; importing the same file again adds nothing.

            A folder or an s3://bucket/prefix imports only its delta: objects whose entity tag and size changed since the \
            last import (unchanged ones are not read), deleted ones recorded as deleted. S3 credentials come from \
            AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (/ AWS_SESSION_TOKEN) or the profile AWS_PROFILE in ~/.aws/credentials; \
            the region from --region, AWS_REGION or the profile; a MinIO/localstack/moto server from --endpoint-url or AWS_ENDPOINT_URL.
            """
    )

    @Argument(help: "CSV files, folders, or s3://bucket/prefix URLs.", completion: Completions.csvFiles) var paths: [String]
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
    @Option(
        help:
            "Publish the records to this NATS JetStream bus (nats://HOST:PORT[,…]; bus.url / TRIBUTARY_BUS_URL) for `tributary sink` to store; checkpoints, bad rows and object states stay in --store, which the sinks write."
    ) var bus: String?
    @Option(help: "Folders and buckets: only objects modified at or after this time (\(TimeText.relativeHelp)).") var since: String?
    @Option(help: "Folders and buckets: import only keys matching this pattern (below the prefix; * matches / too). Repeatable.")
    var include: [String] = []
    @Option(help: "Folders and buckets: leave out keys matching this pattern. Repeatable.") var exclude: [String] = []
    @Option(help: "S3-compatible server (MinIO, localstack, moto): http://HOST:PORT (default: AWS_ENDPOINT_URL, else AWS).")
    var endpointURL: String?
    @Option(help: "S3 region (default: AWS_REGION, AWS_DEFAULT_REGION, the profile's region, else us-east-1).") var region: String?
    @Option(help: "S3 addressing: path or virtual (default: path for --endpoint-url, virtual for AWS).") var s3Addressing: String?
    @Option(help: "Where bucket objects are copied while they import (default: TMPDIR).") var spoolDir: String?
    @Option(help: "Folders and buckets: only keys (below the prefix) that sort after this one, as S3's start-after.") var startAfter: String?
    @Option(help: "Folders and buckets: '/' reads one level — keys below a further '/' are not listed (S3's delimiter).") var delimiter: String?
    @Option(help: "Buckets: keys per listing request (S3's max-keys, 1…1000).") var pageSize = 1000
    @Flag(help: "Import .md / .markdown / .txt files as documents cut into chunks (for re-indexing), not as records.") var documents = false
    @Option(help: "--documents: characters per chunk (cut at a paragraph or sentence end where one falls in its second half).")
    var chunkSize = DocumentChunker.default.size
    @Option(help: "--documents: characters each chunk repeats from the one before.") var chunkOverlap = DocumentChunker.default.overlap

    func validate() throws {
        if let problem = DocumentChunker(size: chunkSize, overlap: chunkOverlap).problem { throw ValidationError("--chunk-size/--chunk-overlap: \(problem)") }
        if documents, check { throw ValidationError("--check reads CSV files; --documents writes documents (import into a scratch --store to try it)") }
        guard (1...1_000_000).contains(batchSize) else { throw ValidationError("--batch-size must be 1…1000000") }
        guard (1...1_000_000).contains(sample) else { throw ValidationError("--sample must be 1…1000000") }
        guard (1...1_000).contains(pageSize) else { throw ValidationError("--page-size must be 1…1000 (S3 lists at most 1000 keys a request)") }
        if let delimiter, delimiter != "/" { throw ValidationError("--delimiter '\(delimiter)': only '/' (one level of folders or key prefixes) is supported") }
        guard !source.isEmpty, source.allSatisfy({ $0.isLowercase || $0.isNumber || $0 == "-" || $0 == "_" }) else {
            throw ValidationError("--source '\(source)': use a lower-case id such as acme or my-feed")
        }
    }

    func run() async throws {
        let environment = try await RuntimeEnvironment.load()
        var settings = try await ServiceSettings.load(config: config, store: store)
        if let bus { settings.busURL = bus }
        let target = try await settings.openStore()
        // With a bus, records are published and the sinks store them; the bookkeeping stays here.
        var checkpoints: any ImportCheckpointStore = target
        var connection: BusFactory.Connection?
        if let busURL = settings.busURL, !busURL.isEmpty, !check, !documents {
            do {
                connection = try await BusFactory.connect(
                    busURL, name: "tributary-import", replicas: settings.busReplicas, eventsPerMessage: settings.busEventsPerMessage)
            } catch {
                throw CLIError(
                    "cannot use the bus \(busURL): \(error) (is nats-server running with JetStream, -js? Without --bus / bus.url the store is written directly)"
                )
            }
            checkpoints = BusImportCheckpoints(store: target, bus: connection!.publisher())
        }
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
        let importer = CSVImport(store: checkpoints, options: options)
        let terminal = isatty(STDERR_FILENO) == 1
        let buckets = paths.filter { $0.hasPrefix("s3://") }
        if check {
            guard buckets.isEmpty else {
                throw CLIError("--check reads local files and folders; import \(buckets[0]) into a scratch store (--store) to check it")
            }
            if let events = paths.first(where: EventFileImport.isSupported) {
                throw CLIError("--check reads CSV files; import \(events) into a scratch store (--store) to check it")
            }
            let files = try Self.expand(paths)
            guard !files.isEmpty else { throw CLIError("no CSV files in \(paths.joined(separator: " ")) (looked for *.csv and *.csv.gz)") }
            try await Self.check(files, importer: importer, terminal: terminal)
            return
        }
        var totals = Totals()
        totals.published = connection != nil
        var failures: [String] = []
        for path in paths {
            if path.hasPrefix("s3://") {
                let client = HTTPClient()
                defer { Task { await client.shutdown() } }
                let opened: (source: any BlobSource, uriPrefix: String)
                do {
                    opened = try BlobSourceFactory.s3(
                        path,
                        settings: BlobSourceFactory.S3Settings(
                            region: region, endpointURL: endpointURL, addressing: s3Addressing, pageSize: pageSize, delimiter: delimiter),
                        environment: environment, transport: client)
                } catch let error as BlobSourceFactory.Invalid { throw CLIError(error.description) }
                let guarded = GuardedBlobSource(opened.source, guardian: Self.guardian(source: source, environment: environment), clock: ContinuousClock())
                failures += try await importObjects(
                    guarded, uriPrefix: opened.uriPrefix, sourceType: .s3, store: target, importer: importer, terminal: terminal, totals: &totals)
                await client.shutdown()
                continue
            }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw CLIError("\(path): no such file or folder") }
            if documents, !isDirectory.boolValue {
                // One document file: its folder, narrowed to it.
                let url = URL(fileURLWithPath: path)
                let folder = FolderBlobSource(root: url.deletingLastPathComponent().path)
                failures += try await importObjects(
                    folder, uriPrefix: "file://" + CSVImport.absolute(folder.root) + "/", sourceType: .file, store: target, importer: importer,
                    terminal: terminal, totals: &totals, only: url.lastPathComponent)
                continue
            }
            if isDirectory.boolValue {
                let folder = FolderBlobSource(root: path, delimiter: delimiter)
                let absolute = CSVImport.absolute(folder.root)
                failures += try await importObjects(
                    folder, uriPrefix: "file://" + absolute + "/", sourceType: .file, store: target, importer: importer, terminal: terminal, totals: &totals)
                continue
            }
            let started = ContinuousClock.now
            let report = try await Self.withProgress(terminal: terminal) { progress in
                EventFileImport.isSupported(path)
                    ? try await EventFileImport(store: checkpoints, options: options).run(path: path, progress: progress)
                    : try await importer.run(path: path, progress: progress)
            }
            Self.printReport(report, started: started, source: source, pinned: options.schema != nil, totals: &totals)
        }
        // Every published batch was acknowledged before its checkpoint: nothing is left to flush.
        await connection?.close()
        // The peak resident set: how much memory the import needed (it is meant to stay flat
        // whatever the size of the files or objects).
        let peak = String(format: "; peak memory %.0f MB", ProcessMemory.peakResidentMegabytes())
        if documents {
            print("import: \(totals.documents) document(s) new or changed, \(totals.chunksWritten) chunk(s) to embed again\(peak)")
        } else {
            print(
                "import: \(totals.files) file(s), \(totals.rows) rows, \(totals.stored) \(totals.storedWord), \(totals.duplicates) already there, \(totals.bad) bad\(totals.bad > 0 ? " (see `tributary dlq list --source \(source)`)" : "")\(peak)"
            )
        }
        if !failures.isEmpty {
            throw CLIError("import: \(failures.count) object(s) failed (the others were imported):\n" + failures.map { "  " + $0 }.joined(separator: "\n"))
        }
        if !totals.allBad.isEmpty {
            throw CLIError(
                "import: every row of \(totals.allBad.joined(separator: ", ")) was bad; check --rules and the columns (`--check` lists each row's problem without writing)"
            )
        }
    }

    /// What the files of one command added up to.
    struct Totals {
        var files = 0
        var rows = 0
        var stored = 0
        var duplicates = 0
        var bad = 0
        /// Files with rows of which none became a record: the import as a whole failed.
        var allBad: [String] = []
        /// `--documents`: documents new or changed, and their chunks added or changed.
        var documents = 0
        var chunksWritten = 0
        /// `--bus`: records were published to the bus (the sinks store them), not stored here.
        var published = false
        var storedWord: String { published ? "published to the bus" : "stored" }
    }

    /// The source's resilience settings (Sources.d, else the defaults) for its bucket requests.
    static func guardian(source: String, environment: [String: String]) -> SourceGuard<ContinuousClock> {
        let catalog = SourceCatalog(directories: SourceDirectories.search(environment: environment))
        let settings = ResilienceSettings(definition: catalog.definitions[SourceID(source)], source: SourceID(source))
        return SourceGuard(source: source, settings: settings, clock: ContinuousClock())
    }

    /// A folder's or a bucket prefix's delta; prints each imported object and a summary line,
    /// and returns the objects that failed.
    private func importObjects(
        _ blobs: any BlobSource, uriPrefix: String, sourceType: Provenance.SourceType, store: any RecordStore, importer: CSVImport, terminal: Bool,
        totals: inout Totals, only: String? = nil
    ) async throws -> [String] {
        var objectOptions = ObjectImport.Options()
        objectOptions.include = only.map { [$0] } ?? include
        if documents { objectOptions.documents = DocumentChunker(size: chunkSize, overlap: chunkOverlap) }
        objectOptions.exclude = exclude
        objectOptions.force = force
        objectOptions.since = try CommandOptions.time(since, "--since", now: .now())
        if let spoolDir { objectOptions.spoolDirectory = spoolDir }
        objectOptions.startAfter = startAfter
        let run = ObjectImport(blobs: blobs, store: store, importer: importer, uriPrefix: uriPrefix, sourceType: sourceType, options: objectOptions)
        let started = ContinuousClock.now
        let report: ObjectImport.Report
        do {
            var tally = ObjectImportTally()
            report = try await run.run { progress in
                guard terminal else { return }
                tally.record(progress)
                FileHandle.standardError.write(Data("\r\u{1B}[K\(blobs.location) \(tally.line(elapsed: ContinuousClock.now - started))".utf8))
            }
        } catch let error as BlobError {
            if terminal { FileHandle.standardError.write(Data("\n".utf8)) }
            throw CLIError(error.description)
        } catch let error as ResilienceError {
            if terminal { FileHandle.standardError.write(Data("\n".utf8)) }
            throw CLIError("\(blobs.location): \(error.description)")
        }
        if terminal { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        for file in report.imported { Self.printReport(file, started: started, source: source, pinned: importer.options.schema != nil, totals: &totals) }
        for document in report.documents {
            let counts = document.counts
            totals.documents += 1
            totals.chunksWritten += counts.added + counts.changed
            print(
                "\(document.uri): document \(document.id) v\(document.version): \(counts.added) chunks added, \(counts.changed) changed, \(counts.removed) removed, \(counts.unchanged) unchanged"
            )
        }
        for uri in report.deleted {
            print(
                "\(uri): deleted since the last import (recorded; \(documents ? "its document is marked deleted and its chunks removed" : "its records stay"))")
        }
        if !report.unsupported.isEmpty {
            let read = documents ? ObjectImport.documentSuffixes : ObjectImport.suffixes
            print(
                "\(blobs.location): \(report.unsupported.count) object(s) not read (imported: \(read.map { "*" + $0 }.joined(separator: ", "))\(documents ? " as documents" : "")), e.g. \(report.unsupported[0])"
            )
        }
        if !report.rolledUp.isEmpty {
            print(
                "\(blobs.location): \(report.rolledUp.count) sub-prefix(es) not read (--delimiter '\(blobs.delimiter ?? "")'), e.g. \(report.rolledUp[0])")
        }
        print(
            String(
                format:
                    "%@: %d objects listed, %d imported, %d unchanged (not read), %d same bytes under a new tag, %d left out, %d deleted, %d failed; %.1f MB read",
                blobs.location, report.listed, report.imported.filter { !$0.alreadyImported }.count + report.documents.count, report.unchanged,
                report.sameContent,
                report.filtered, report.deleted.count, report.failures.count, Double(report.bytesRead) / 1_048_576))
        return report.failures.map { "\($0.uri): \($0.reason)" }
    }

    /// One file's lines: its schema, what it added, and the dead letters it settled.
    static func printReport(_ report: CSVImport.Report, started: ContinuousClock.Instant, source: String, pinned: Bool, totals: inout Totals) {
        totals.files += 1
        if report.alreadyImported {
            print("\(report.path): already imported (\(report.rows) rows, \(report.sha256.prefix(19))…); nothing to do (--force to import again)")
            return
        }
        if !report.schema.columns.isEmpty {
            print(Self.schemaHeading(report.path, sampled: report.sampled, pinned: pinned))
            print(report.schema.yaml, terminator: "")
        }
        if !report.newColumns.isEmpty { print("  new columns for \(source), recorded: \(report.newColumns.joined(separator: ", "))") }
        let seconds = ProgressLine.seconds(ContinuousClock.now - started)
        print(
            String(
                format: "%@: %d rows%@ → %d %@, %d already there, %d bad (dead letters) in %d batches; %.1f MB/s",
                report.path, report.rows, report.resumedAfter > 0 ? " (resumed after \(report.resumedAfter))" : "", report.stored, totals.storedWord,
                report.duplicates, report.badRows, report.batches, Double(report.bytes) / 1_048_576 / seconds))
        if report.fixedRows + report.failedAgainRows > 0 {
            print(
                "\(report.path): earlier dead letters of this file resolved: \(report.fixedRows) rows now imported, \(report.failedAgainRows) failed again (their newer dead letters replace them)"
            )
        }
        totals.rows += report.rows
        totals.stored += report.stored
        totals.duplicates += report.duplicates
        totals.bad += report.badRows
        if report.rows > 0, report.badRows == report.rows { totals.allBad.append(report.path) }
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
        max(0.001, elapsed.fractionalSeconds)
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
