import Foundation
import Pipeline
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
public struct CSVImport: Sendable {
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
        /// Rows the schema was inferred from (at most the sample size; fewer in a short file).
        public var sampled = 0
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
        /// Earlier dead letters of this file's rows (same source, same path) settled by this run:
        /// the row now imported cleanly…
        public var fixedRows = 0
        /// …or failed again (its newer dead letter takes over).
        public var failedAgainRows = 0
        public var bytes = 0
    }

    /// Progress as rows go by (for the terminal's progress bar).
    public struct Progress: Sendable {
        public var rows: Int
        public var bytes: Int
        public var totalBytes: Int?

        public init(rows: Int, bytes: Int, totalBytes: Int?) {
            self.rows = rows
            self.bytes = bytes
            self.totalBytes = totalBytes
        }
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

    /// What ``check(path:)`` found. Nothing was written: not the records, not the dead letters,
    /// not the checkpoint, not the columns of an inferred schema.
    public struct CheckReport: Sendable {
        public var path: String
        public var schema = CSVSchema(columns: [])
        /// Rows the schema was inferred from.
        public var sampled = 0
        public var rows = 0
        public var valid = 0
        public var badRows = 0
        /// The first bad rows' reasons (line, column and problem), at most ``CSVImport/checkedProblemLimit``.
        public var problems: [String] = []
        public var bytes = 0
    }

    /// Bad rows a check lists by reason (the count covers them all).
    public static let checkedProblemLimit = 20

    /// Reads, validates and normalizes every row — schema, rules, record model, content hash,
    /// on every core, exactly as an import would — and writes nothing: "would this file import
    /// cleanly, and how fast can this machine turn it into records?" without touching the store.
    public func check(path: String, progress: (Progress) -> Void = { _ in }) async throws -> CheckReport {
        var report = CheckReport(path: path)
        let (header, sample) = try headerAndSample(path)
        report.sampled = sample.count
        var unused = Report(path: path)
        report.schema = try await schema(header: header, sample: sample, path: path, report: &unused, recordsNewColumns: false)
        var checks = report.schema
        if options.schema == nil { for index in checks.columns.indices { checks.columns[index].nullable = true } }
        let totalBytes = path.hasSuffix(".gz") ? nil : (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
        let context = ChunkContext(
            header: header, schema: checks, path: path, readPath: path, sha256: "sha256:" + String(repeating: "0", count: 64),
            fileURI: "file://" + Self.absolute(path), sourceType: .file, resumeAfter: 0)
        try await forEachConverted(context) { converted, _ in
            report.rows += converted.rows
            report.valid += converted.records.count
            report.badRows += converted.letters.count
            for letter in converted.letters where report.problems.count < Self.checkedProblemLimit { report.problems.append(letter.reason) }
            report.bytes = converted.endOffset
            progress(Progress(rows: report.rows, bytes: converted.endOffset, totalBytes: totalBytes))
        }
        return report
    }

    /// Where the rows of a file read from elsewhere (a bucket object spooled to a local file)
    /// really come from: the name reports and dead letters use, the provenance address and type,
    /// the body's digest (already known from the download), and the object state to commit
    /// with the completing batch.
    public struct Origin: Sendable {
        public var name: String
        public var uri: String
        public var sourceType: Provenance.SourceType
        public var sha256: String
        public var object: ObjectState?

        public init(name: String, uri: String, sourceType: Provenance.SourceType, sha256: String, object: ObjectState?) {
            self.name = name
            self.uri = uri
            self.sourceType = sourceType
            self.sha256 = sha256
            self.object = object
        }
    }

    /// Imports the file at `readPath`; with an `origin`, its rows are named and provenanced as
    /// coming from there (the file is only a local copy).
    public func run(path readPath: String, origin: Origin? = nil, progress: (Progress) -> Void = { _ in }) async throws -> Report {
        let path = origin?.name ?? readPath
        var report = Report(path: path)
        report.sha256 = try origin?.sha256 ?? Self.digest(of: readPath)
        let source = options.source.rawValue
        let done = try await store.importProgress(fileSHA256: report.sha256, source: source)
        if let done, done.completed, !options.force {
            report.alreadyImported = true
            report.rows = done.rowsDone
            return report
        }
        let resumeAfter = options.force ? 0 : (done?.rowsDone ?? 0)
        report.resumedAfter = resumeAfter

        let (header, sample) = try headerAndSample(readPath, name: path)
        report.sampled = sample.count
        report.schema = try await schema(header: header, sample: sample, path: path, report: &report)
        // An inferred schema says which columns were empty in the sample; rows later on may
        // still leave a cell empty (optional record fields). A pinned schema is enforced as written.
        var checks = report.schema
        if options.schema == nil { for index in checks.columns.indices { checks.columns[index].nullable = true } }

        let context = ChunkContext(
            header: header, schema: checks, path: path, readPath: readPath, sha256: report.sha256,
            fileURI: origin?.uri ?? "file://" + Self.absolute(readPath), sourceType: origin?.sourceType ?? .file, resumeAfter: resumeAfter,
            watched: try await store.pendingRowDeadLetters(source: source, file: path))
        if options.strict {
            // A first pass that writes nothing (and prepares nothing): any bad row aborts the import.
            try await forEachConverted(context) { converted, _ in
                if let bad = converted.firstProblem { throw Failure(description: "\(path): \(bad) (--strict: nothing was imported)") }
            }
        }

        let totalBytes = readPath.hasSuffix(".gz") ? nil : (try? FileManager.default.attributesOfItem(atPath: readPath)[.size] as? Int) ?? nil
        var rowsDone = resumeAfter
        var writing = context
        writing.preparer = store as? any RecordPreparing
        func commit(_ converted: ConvertedChunk?, completed: Bool) async throws {
            let records = converted?.records ?? [], letters = converted?.letters ?? []
            if let converted { rowsDone = converted.rowsDone }
            let result = try await store.commitImportBatch(
                ImportBatch(
                    records: records, deadLetters: letters, fileSHA256: report.sha256, source: source, path: path, rowsDone: rowsDone, completed: completed,
                    resolutions: converted?.resolutions ?? [], object: completed ? Self.finished(origin?.object, rows: rowsDone) : nil,
                    prepared: converted?.prepared))
            report.fixedRows += converted?.fixedRows ?? 0
            report.failedAgainRows += (converted?.resolutions.count ?? 0) - (converted?.fixedRows ?? 0)
            report.stored += result.stored
            report.duplicates += result.unchanged
            report.badRows += letters.count
            report.batches += 1
            if let converted {
                report.rows += converted.rows
                report.bytes = converted.endOffset
                progress(Progress(rows: rowsDone, bytes: converted.endOffset, totalBytes: totalBytes))
            }
            try await ImportStall.afterBatch(report.batches)
        }
        // The last chunk, when it is not a full batch, commits as the completing batch; a full
        // one commits as every batch does and an empty batch then completes the file.
        var completed = false
        try await forEachConverted(writing) { converted, isLast in
            completed = isLast && converted.rows < options.batchSize
            try await commit(converted, completed: completed)
        }
        if !completed { try await commit(nil, completed: true) }
        progress(Progress(rows: rowsDone, bytes: report.bytes, totalBytes: totalBytes))
        return report
    }

    /// The object state committed with an object's completing batch: its rows, stamped now.
    static func finished(_ object: ObjectState?, rows: Int) -> ObjectState? {
        guard var object else { return nil }
        object.rows = rows
        object.updatedAt = .now()
        return object
    }

    /// The file's header and the first `sampleSize` rows after it (the schema is inferred from them).
    func headerAndSample(_ path: String, name: String? = nil) throws -> (header: [String], sample: [CSVReader.Item]) {
        var reader = try Self.open(path)
        guard case .row(let headerRow)? = try reader.next() else { throw Failure(description: "\(name ?? path): no header row") }
        let header = try Self.header(of: headerRow, path: name ?? path)
        var sample: [CSVReader.Item] = []
        while sample.count < options.sampleSize, let item = try reader.next() { sample.append(item) }
        return (header, sample)
    }

    /// The header's column names, trimmed; refused when one is empty or repeated.
    static func header(of row: CSVReader.Row, path: String) throws -> [String] {
        let header = row.fields.map { $0.trimmingCharacters(in: .whitespaces) }
        if let empty = header.firstIndex(of: "") { throw Failure(description: "\(path): column \(empty + 1) of the header has no name") }
        if Set(header).count != header.count { throw Failure(description: "\(path): the header names a column twice") }
        return header
    }

    /// What every chunk's conversion needs from the file.
    struct ChunkContext: Sendable {
        var header: [String]
        var schema: CSVSchema
        /// The file's name in reports, dead letters and checkpoints.
        var path: String
        /// Where its bytes are read from (a local copy of a bucket object, or the path itself).
        var readPath: String
        var sha256: String
        var fileURI: String
        var sourceType: Provenance.SourceType
        /// Rows an earlier run committed: they are counted, not converted.
        var resumeAfter: Int
        /// Pending dead letters of this file's earlier imports, by line: each is settled as its line goes by.
        var watched: [Int: [Int64]] = [:]
        /// The store the chunks are committed to, when it can encode records for its write: each
        /// chunk's records are prepared on the core that converted them, not on the store's writer.
        var preparer: (any RecordPreparing)?
    }

    /// One chunk's rows as records and dead letters, ready to commit.
    struct ConvertedChunk: Sendable {
        var records: [Envelope] = []
        var letters: [DeadLetter] = []
        /// Rows converted (those before the resume point left out).
        var rows = 0
        /// The checkpoint once this chunk is in: non-empty rows of the file up to its end.
        var rowsDone = 0
        var endOffset = 0
        /// The first bad row's reason (for `--strict`).
        var firstProblem: String?
        /// Earlier dead letters of rows in this chunk, settled as it commits.
        var resolutions: [DeadLetterResolution] = []
        /// How many of ``resolutions`` are rows that now imported cleanly.
        var fixedRows = 0
        /// ``records`` as the store's ``ChunkContext/preparer`` encoded them.
        var prepared: PreparedRecords?
    }

    /// Converts the file's chunks on every core and hands them to `body` in file order, saying
    /// which is the file's last.
    ///
    /// Chunks are cut by ``CSVChunker`` at every `batchSize` rows, so a chunk is exactly the
    /// batch a sequential reader would have committed (its batch id and checkpoint are the
    /// same, and a resumed run picks up at a chunk's boundary). At most two chunks per core are
    /// converted ahead of the one `body` is committing, so memory stays bounded; a chunk's
    /// record array is filled again by a later chunk once `body` is done with it.
    private func forEachConverted(_ context: ChunkContext, _ body: (ConvertedChunk, _ isLast: Bool) async throws -> Void) async throws {
        let ahead = 2 * max(1, ProcessInfo.processInfo.activeProcessorCount)
        let arrays = ArrayPool<Envelope>(limit: ahead), chunkBytes = ArrayPool<UInt8>(limit: ahead + 1)
        var chunker = CSVChunker(rowsPerChunk: options.batchSize, spare: chunkBytes, readInto: try Self.sourceInto(context.readPath))
        var inFlight: [Task<ConvertedChunk, Never>] = []
        defer { for task in inFlight { task.cancel() } }
        let converter = self
        func deliver(_ task: consuming Task<ConvertedChunk, Never>, isLast: Bool) async throws {
            var converted = await task.value
            // A finished task holds its result until it is released: this is then the array's one holder.
            _ = consume task
            try await body(converted, isLast)
            arrays.give(&converted.records)
        }
        while let chunk = try chunker.next() {
            guard chunk.rowsBefore + chunk.rows > context.resumeAfter else { continue }
            // The task is the chunk's one holder once it takes it, so its bytes go back to the pool whole.
            let handoff = Handoff(chunk)
            inFlight.append(
                Task {
                    var chunk = handoff.take()
                    let converted = converter.convert(chunk, context, records: arrays)
                    chunkBytes.give(&chunk.bytes)
                    return converted
                })
            if inFlight.count >= ahead { try await deliver(inFlight.removeFirst(), isLast: false) }
        }
        while !inFlight.isEmpty {
            let task = inFlight.removeFirst()
            try await deliver(task, isLast: inFlight.isEmpty)
        }
    }

    /// One chunk's rows → records and bad rows.
    func convert(_ chunk: CSVChunker.Chunk, _ context: ChunkContext, records: ArrayPool<Envelope>) -> ConvertedChunk {
        var out = ConvertedChunk(rowsDone: chunk.rowsBefore + chunk.rows, endOffset: chunk.endOffset)
        out.records = records.take(capacity: chunk.rows)
        let batchNumber = (chunk.rowsBefore + max(chunk.rows, 1) - 1) / options.batchSize
        let batchID = "\(context.sha256.dropFirst(7).prefix(12))-\(batchNumber)"
        let now = UTCTimestamp.now()
        // The chunk's rows share every provenance field but their hash and line: stamped from this.
        let stamp = Provenance(
            sourceID: options.source, sourceType: context.sourceType, sourceURI: context.fileURI, contentHash: "", ingestedAt: now,
            observedAt: now, parentID: context.sha256, batchID: batchID, requestID: batchID)
        var reader = CSVReader(bytes: chunk.bytes, firstLine: chunk.firstLine)
        var index = chunk.rowsBefore
        var hasher = ContentHasher()
        var fields = RecordFieldSlots()
        // Each column's field, worked out once for the chunk rather than by name per cell.
        let columns = (options.rules ?? NormalizationRules()).columnFields(header: context.header)
        // Cells the builder parses as the schema would are checked by that parse alone.
        let checkedByBuilder = context.schema.checkedByBuilder(columns, rules: options.rules)
        // Taken out of the options once for the chunk, not once per row (a copy retains each of its tables).
        let rules = options.rules
        // Read once: a static is looked up (`swift_once`) on every access.
        let steps = Self.csvSteps
        while true {
            let item: CSVReader.Item
            do {
                guard let next = try reader.next() else { break }
                item = next
            } catch {
                // Rows already in memory do not fail to read; should they ever, the rest of the
                // chunk is one dead letter that says so, never rows dropped in silence.
                let reason = "rows \(index + 1) onwards of the chunk starting at line \(chunk.firstLine) could not be read: \(error)"
                out.firstProblem = out.firstProblem ?? reason
                out.letters.append(
                    DeadLetter(
                        source: options.source.rawValue, endpoint: "import", reason: "\(context.path): \(reason)",
                        payload: .row(file: context.path, line: chunk.firstLine, raw: [])))
                break
            }
            if case .row(let row) = item, row.fields == [""] { continue }
            index += 1
            guard index > context.resumeAfter else { continue }
            out.rows += 1
            let bad = convert(
                item, header: context.header, columns: columns, rules: rules, schema: context.schema, checkedByBuilder: checkedByBuilder,
                path: context.path, stamp: stamp, steps: steps, hasher: &hasher, fields: &fields, into: &out.records)
            if let bad {
                if out.firstProblem == nil { out.firstProblem = bad.reason }
                out.letters.append(bad.letter)
            }
            if !context.watched.isEmpty, let earlier = context.watched[item.line] {
                let file = "\(context.path) (\(context.sha256.dropFirst(7).prefix(12)))"
                let fixed = bad == nil
                let note = fixed ? "re-imported from \(file) line \(item.line)" : "failed again in \(file) line \(item.line); the newer dead letter replaces it"
                out.resolutions += earlier.map { DeadLetterResolution(id: $0, note: note) }
                if fixed { out.fixedRows += earlier.count }
            }
            reader.recycle(item)
        }
        if let preparer = context.preparer, !out.records.isEmpty { out.prepared = preparer.prepare(out.records) }
        return out
    }

    /// Every imported row's steps before its `line:N`: one array that all rows share.
    static let csvSteps = ["import:csv"]

    /// A row that is not a record: the dead letter to keep and the reason to say.
    struct BadRow: Error {
        var reason: String
        var letter: DeadLetter
    }

    /// One CSV item → a record appended to `records` (built in place, not copied out of a
    /// result), or the bad row with its location.
    func convert(
        _ item: CSVReader.Item, header: [String], columns: [NormalizationRules.ColumnField?], rules: NormalizationRules?, schema: CSVSchema,
        checkedByBuilder: [Bool], path: String, stamp: Provenance, steps: [String], hasher: inout ContentHasher,
        fields: inout RecordFieldSlots, into records: inout [Envelope]
    ) -> BadRow? {
        func bad(_ line: Int, _ reason: String, _ raw: [UInt8]) -> BadRow? {
            let text = "line \(line): \(reason)"
            return BadRow(
                reason: text,
                letter: DeadLetter(
                    source: options.source.rawValue, endpoint: "import", reason: "\(path): \(text)", payload: .row(file: path, line: line, raw: raw)))
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
        /// The row's first cell that does not fit the schema, checking every cell.
        func schemaProblem() -> BadRow? {
            for (index, value) in row.fields.enumerated() {
                if let problem = schema.problem(value, column: index) { return bad(row.line, "column \(index + 1) (\(header[index])): \(problem)", raw) }
            }
            return nil
        }
        fields.removeAll()
        for (index, value) in row.fields.enumerated() {
            // A cell the builder parses is checked by that parse (a failing row is checked in full below).
            if value.isEmpty || index >= checkedByBuilder.count || !checkedByBuilder[index], schema.problem(value, column: index) != nil {
                return schemaProblem()
            }
            guard !value.isEmpty, let target = columns[index] else { continue }
            switch target {
            case .field(let field): fields.set(.string(value), field)
            case .other(let name): fields.set(.string(value), named: name)
            }
        }
        if let rules {
            let problems = rules.rewrite(&fields)
            if !problems.isEmpty { return schemaProblem() ?? bad(row.line, InvalidRecord(problems: problems).description, raw) }
        }
        switch builder.build(fields) {
        case .failure(let invalid):
            if let problem = schemaProblem() { return problem }
            return bad(
                row.line,
                invalid.problems.map { problem in
                    let column =
                        header.firstIndex(of: problem.field)
                        ?? rules?.rename.first(where: { $0.value == problem.field }).flatMap { header.firstIndex(of: $0.key) }
                    return (column.map { "column \($0 + 1) (\(header[$0])): " } ?? "") + problem.description
                }.joined(separator: "; "), raw)
        case .success(let record):
            records.append(
                Envelope(
                    record: record,
                    provenance: stamp.stamping(contentDigest: hasher.digest(record), transformations: steps, line: Int64(row.line)),
                    identity: rules?.naturalKey(of: fields)))
            return nil
        }
    }

    /// The schema to check rows with: pinned, or inferred — with the types of columns this
    /// source's earlier imports had kept, and new columns recorded.
    private func schema(
        header: [String], sample: [CSVReader.Item], path: String, report: inout Report,
        recordsNewColumns: Bool = true
    ) async throws -> CSVSchema {
        if let pinned = options.schema {
            let names = Set(pinned.columns.map(\.name))
            if let missing = header.first(where: { !names.contains($0) }) {
                throw Failure(
                    description: "\(path): column '\(missing)' is not in the pinned schema (columns: \(pinned.columns.map(\.name).joined(separator: ", ")))")
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
        if !new.isEmpty, recordsNewColumns {
            try await store.recordImportColumns(new, source: options.source.rawValue, file: path)
            if !known.isEmpty { report.newColumns = new.map(\.name) }
        }
        return inferred
    }

    /// The file's `sha256:` digest: its identity for checkpoints and its records' provenance parent.
    ///
    /// Read with `read(2)` into one reused buffer: the whole file passes here before its first row
    /// is converted (its digest names the checkpoint and every batch), so this time is the
    /// import's own — a `Data` per megabyte copied into an array took 0.13 s for 48 MB.
    public static func digest(of path: String) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw Failure(description: "\(path): cannot be opened for reading") }
        defer { try? handle.close() }
        var digest = FileDigest()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let got: Int
            do { got = try CSVReader.readSome(handle.fileDescriptor, into: buffer) } catch {
                throw Failure(description: "\(path): cannot be read (\(String(cString: strerror(error.code.rawValue))))")
            }
            guard got > 0 else { return digest.finalize() }
            digest.update(UnsafeRawBufferPointer(rebasing: buffer[..<got]))
        }
    }

    /// A reader over the file, through `gzip -dc` when it ends in `.gz`.
    static func open(_ path: String) throws -> CSVReader {
        CSVReader(read: try source(path))
    }

    /// The file's bytes in pieces (`read(n)` gives up to n, none at the end), through `gzip -dc`
    /// when it ends in `.gz`.
    static func source(_ path: String) throws -> (Int) throws -> [UInt8] {
        CSVReader.reading(try sourceInto(path))
    }

    /// The file's bytes read into a buffer the caller gives (the bytes read, 0 at the end),
    /// through `gzip -dc` when it ends in `.gz`.
    static func sourceInto(_ path: String) throws -> (UnsafeMutableRawBufferPointer) throws -> Int {
        guard FileManager.default.isReadableFile(atPath: path) else { throw Failure(description: "\(path): cannot be opened for reading") }
        if path.hasSuffix(".gz") {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["gzip", "-dc", path]
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = FileHandle.nullDevice
            try process.run()
            return CSVReader.readingInto(pipe.fileHandleForReading)
        }
        guard let handle = FileHandle(forReadingAtPath: path) else { throw Failure(description: "\(path): cannot be opened for reading") }
        return CSVReader.readingInto(handle)
    }

    public static func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }

    static func csvLine(_ fields: [String]) -> String {
        fields.map { field in
            field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                ? "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : field
        }.joined(separator: ",")
    }
}
