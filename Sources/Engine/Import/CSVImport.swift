import Pipeline
import Foundation
import TributaryCore

/// `tributary import`: CSV files (plain or gzip) into the store as records, in atomic batches.
///
/// Per file: its SHA-256 is its identity (checkpoint key, and the records' provenance parent); a
/// sample of rows gives the schema (or `--schema` pins it; a source's earlier imports fix the
/// types of the columns they had, and new columns are recorded); every row is type-checked, put
/// through the rules and the record model, and the valid ones are upserted by natural key (so a
/// re-import adds nothing). Each batch — its records, its bad rows (dead letters with file, line,
/// column and reason) and the file's checkpoint — is one transaction: after a `kill -9` a re-run
/// resumes after the last committed batch. `strict` validates the whole file first and commits
/// nothing if any row is bad.
public struct CSVImport {
    public struct Options: Sendable {
        public var source: SourceID
        public var rules: NormalizationRules?
        /// A pinned schema; nil infers one from the sample.
        public var schema: CSVSchema?
        public var batchSize = 10_000
        public var sampleSize = 1_000
        public var strict = false
        /// Import again even if the file was imported completely before.
        public var force = false

        public init(source: SourceID) { self.source = source }
    }

    public struct Report: Sendable {
        public var path: String
        public var sha256 = ""
        public var schema = CSVSchema(columns: [])
        public var newColumns: [String] = []
        public var rows = 0
        public var stored = 0
        public var duplicates = 0
        public var badRows = 0
        public var batches = 0
        /// Rows skipped because an earlier run had committed them.
        public var resumedAfter = 0
        /// The file was imported completely before; nothing was read.
        public var alreadyImported = false
        public var bytes = 0
    }

    /// Progress as rows go by (for the terminal's progress bar).
    public struct Progress: Sendable {
        public var rows: Int
        public var bytes: Int
        public var totalBytes: Int?
    }

    /// Why an import stopped: the file cannot be read, its header is unusable, or (strict) a bad row.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    public let store: any ImportCheckpointStore
    public let options: Options
    private let builder: RecordBuilder

    public init(store: any ImportCheckpointStore, options: Options) {
        self.store = store
        self.options = options
        self.builder = RecordBuilder(source: options.source, defaultEndpoint: "import")
    }

    public func run(path: String, progress: (Progress) -> Void = { _ in }) async throws -> Report {
        var report = Report(path: path)
        report.sha256 = try Self.digest(of: path)
        let source = options.source.rawValue
        let done = try await store.importProgress(fileSHA256: report.sha256, source: source)
        if let done, done.completed, !options.force {
            report.alreadyImported = true
            report.rows = done.rowsDone
            return report
        }
        let resumeAfter = options.force ? 0 : (done?.rowsDone ?? 0)
        report.resumedAfter = resumeAfter

        // Header and sample.
        var reader = try Self.open(path)
        guard case .row(let headerRow)? = try reader.next() else { throw Failure(description: "\(path): no header row") }
        let header = headerRow.fields.map { $0.trimmingCharacters(in: .whitespaces) }
        if let empty = header.firstIndex(of: "") { throw Failure(description: "\(path): column \(empty + 1) of the header has no name") }
        if Set(header).count != header.count { throw Failure(description: "\(path): the header names a column twice") }
        var sample: [CSVReader.Item] = []
        while sample.count < options.sampleSize, let item = try reader.next() { sample.append(item) }
        report.schema = try await schema(header: header, sample: sample, path: path, report: &report)
        // An inferred schema says which columns were empty in the sample; rows later on may
        // still leave a cell empty (optional record fields). A pinned schema is enforced as written.
        var checks = report.schema
        if options.schema == nil { for index in checks.columns.indices { checks.columns[index].nullable = true } }

        if options.strict {
            // A first pass that writes nothing: any bad row aborts the import.
            var check = try Self.open(path)
            _ = try check.next()
            while let item = try check.next() {
                if case .failure(let bad) = convert(item, header: header, schema: checks, path: path, batchID: "", sha: report.sha256) {
                    throw Failure(description: "\(path): \(bad.reason) (--strict: nothing was imported)")
                }
            }
        }

        var batch: [Envelope] = []
        var letters: [DeadLetter] = []
        var processed = 0
        let totalBytes = path.hasSuffix(".gz") ? nil : (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
        func commit(completed: Bool) async throws {
            let result = try await store.commitImportBatch(ImportBatch(
                records: batch, deadLetters: letters, fileSHA256: report.sha256, source: source, path: path, rowsDone: processed, completed: completed))
            report.stored += result.stored
            report.duplicates += result.unchanged
            report.badRows += letters.count
            report.batches += 1
            batch.removeAll(keepingCapacity: true)
            letters.removeAll(keepingCapacity: true)
        }
        let fileURI = "file://" + Self.absolute(path)
        var pending = sample[...]
        var batchNow: UTCTimestamp?
        var batchID = ""
        while true {
            let item: CSVReader.Item
            if let next = pending.popFirst() { item = next } else if let next = try reader.next() { item = next } else { break }
            if case .row(let row) = item, row.fields == [""] { continue }
            processed += 1
            guard processed > resumeAfter else { continue }
            report.rows += 1
            if batchNow == nil || (processed - 1) % options.batchSize == 0 {
                batchNow = .now()
                batchID = "\(report.sha256.dropFirst(7).prefix(12))-\((processed - 1) / options.batchSize)"
            }
            switch convert(item, header: header, schema: checks, path: path, batchID: batchID, sha: report.sha256, now: batchNow!, fileURI: fileURI) {
            case .success(let stored): batch.append(stored)
            case .failure(let bad): letters.append(bad.letter)
            }
            if processed % options.batchSize == 0 {
                try await commit(completed: false)
                progress(Progress(rows: processed, bytes: reader.offset, totalBytes: totalBytes))
            }
        }
        try await commit(completed: true)
        report.bytes = reader.offset
        progress(Progress(rows: processed, bytes: reader.offset, totalBytes: totalBytes))
        return report
    }

    /// A row that is not a record: the dead letter to keep and the reason to say.
    struct BadRow: Error {
        var reason: String
        var letter: DeadLetter
    }

    /// One CSV item → a stored record, or a bad row with its location.
    func convert(_ item: CSVReader.Item, header: [String], schema: CSVSchema, path: String, batchID: String, sha: String,
                 now: UTCTimestamp = .now(), fileURI: String? = nil) -> Result<Envelope, BadRow> {
        let fileURI = fileURI ?? "file://" + Self.absolute(path)
        let source = options.source.rawValue
        func bad(_ line: Int, _ reason: String, _ raw: [UInt8]) -> Result<Envelope, BadRow> {
            let text = "line \(line): \(reason)"
            return .failure(BadRow(reason: text, letter: DeadLetter(source: source, endpoint: "import", reason: "\(path): \(text)",
                                                                     payload: .row(file: path, line: line, raw: raw))))
        }
        let row: CSVReader.Row
        switch item {
        case .malformed(let problem, _): return bad(problem.line, "column \(problem.column): \(problem.reason)", [])
        case .row(let value): row = value
        }
        // The row's text is rebuilt only for a bad row's dead letter.
        var raw: [UInt8] { Array(Self.csvLine(row.fields).utf8) }
        guard row.fields.count == header.count else {
            return bad(row.line, "\(row.fields.count) values for \(header.count) columns", raw)
        }
        var fields: [String: JSONValue] = [:]
        fields.reserveCapacity(header.count + 2)
        for (index, value) in row.fields.enumerated() {
            if let problem = schema.problem(value, column: index) { return bad(row.line, "column \(index + 1) (\(header[index])): \(problem)", raw) }
            if !value.isEmpty { fields[header[index]] = .string(value) }
        }
        if let rules = options.rules {
            switch rules.apply(fields) {
            case .success(let mapped): fields = mapped
            case .failure(let invalid): return bad(row.line, invalid.description, raw)
            }
        }
        switch builder.build(fields) {
        case .failure(let invalid):
            return bad(row.line, invalid.problems.map { problem in
                let column = header.firstIndex(of: problem.field) ?? options.rules?.rename.first(where: { $0.value == problem.field }).flatMap { header.firstIndex(of: $0.key) }
                return (column.map { "column \($0 + 1) (\(header[$0])): " } ?? "") + problem.description
            }.joined(separator: "; "), raw)
        case .success(let record):
            let envelope = Envelope(record: record, provenance: Provenance(
                sourceID: options.source, sourceType: .file, sourceURI: fileURI, contentHash: ContentHash.of(record),
                ingestedAt: now, observedAt: now, parentID: sha, transformations: ["import:csv", "line:\(row.line)"],
                batchID: batchID, requestID: batchID))
            var keyed = envelope
            keyed.identity = options.rules?.naturalKey(of: fields)
            return .success(keyed)
        }
    }

    /// The schema to check rows with: pinned, or inferred — with the types of columns this
    /// source's earlier imports had kept, and new columns recorded.
    private func schema(header: [String], sample: [CSVReader.Item], path: String, report: inout Report) async throws -> CSVSchema {
        if let pinned = options.schema {
            let names = Set(pinned.columns.map(\.name))
            if let missing = header.first(where: { !names.contains($0) }) {
                throw Failure(description: "\(path): column '\(missing)' is not in the pinned schema (columns: \(pinned.columns.map(\.name).joined(separator: ", ")))")
            }
            let byName = Dictionary(uniqueKeysWithValues: pinned.columns.map { ($0.name, $0) })
            return CSVSchema(columns: header.map { byName[$0]! })
        }
        let rows = sample.compactMap { item -> [String]? in if case .row(let row) = item, row.fields.count == header.count { row.fields } else { nil } }
        var inferred = CSVSchema.infer(header: header, sample: rows)
        let known = try await store.importColumns(source: options.source.rawValue)
        var new: [(name: String, type: String)] = []
        for index in inferred.columns.indices {
            let column = inferred.columns[index]
            if let type = known[column.name].flatMap(CSVSchema.ColumnType.init(rawValue:)) {
                inferred.columns[index].type = type
            } else {
                new.append((column.name, column.type.rawValue))
            }
        }
        if !new.isEmpty {
            try await store.recordImportColumns(new, source: options.source.rawValue, file: path)
            if !known.isEmpty { report.newColumns = new.map(\.name) }
        }
        return inferred
    }

    static func digest(of path: String) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw Failure(description: "\(path): cannot be opened for reading") }
        defer { try? handle.close() }
        var digest = FileDigest()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { digest.update(Array(chunk)) }
        return digest.finalize()
    }

    /// A reader over the file, through `gzip -dc` when it ends in `.gz`.
    static func open(_ path: String) throws -> CSVReader {
        guard FileManager.default.isReadableFile(atPath: path) else { throw Failure(description: "\(path): cannot be opened for reading") }
        if path.hasSuffix(".gz") {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["gzip", "-dc", path]
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = FileHandle.nullDevice
            try process.run()
            return CSVReader(handle: pipe.fileHandleForReading)
        }
        guard let handle = FileHandle(forReadingAtPath: path) else { throw Failure(description: "\(path): cannot be opened for reading") }
        return CSVReader(handle: handle)
    }

    static func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }

    static func csvLine(_ fields: [String]) -> String {
        fields.map { field in
            field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                ? "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : field
        }.joined(separator: ",")
    }
}
