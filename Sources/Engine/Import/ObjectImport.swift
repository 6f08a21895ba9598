import Foundation
import Pipeline
import TributaryCore

/// `tributary import s3://bucket/prefix` (or a folder): the delta of a bucket, imported
/// (`.csv`, `.csv.gz` through ``CSVImport``; `.ndjson`, `.jsonl` (also gzipped) and `.json`
/// through ``EventFileImport``).
///
/// The listing is compared with what the store knows of each object (``ObjectState``): an
/// object whose entity tag and size are the ones last imported is skipped without reading its
/// body, so re-running over an unchanged bucket reads listing pages only. A new or changed
/// object is copied to a local spool file in ranged reads of ``Options/rangeBytes`` (memory
/// stays flat whatever the object's size; its SHA-256 is computed on the way) and imported by
/// ``CSVImport`` as that object — its rows named `s3://bucket/key`, its records' provenance
/// `s3` with the entity tag, and its state committed in the same transaction as its last
/// batch. A killed import resumes mid-object (the body's digest keys the checkpoint). An
/// object imported before that is gone from the listing is recorded as deleted. One object
/// that fails (changed while read, unreadable, no header) is reported and the rest go on.
public struct ObjectImport: Sendable {
    public struct Options: Sendable {
        /// Only objects modified at or after this time.
        public var since: UTCTimestamp?
        /// Key patterns (below the prefix, `fnmatch` style, `*` matching `/` too): an object is
        /// imported when it matches one of `include` (all, when empty) and none of `exclude`.
        public var include: [String] = []
        public var exclude: [String] = []
        /// Where remote objects are copied while they import (removed after each).
        public var spoolDirectory = NSTemporaryDirectory()
        /// Bytes per ranged read.
        public var rangeBytes: Int64 = 8 << 20
        /// Import every object again, changed or not.
        public var force = false
        /// Read `.md` / `.markdown` / `.txt` objects as documents cut into chunks (`import
        /// --documents`) instead of records.
        public var documents: DocumentChunker?
        /// The largest document read (it is chunked whole).
        public var maxDocumentBytes: Int64 = 16 << 20
        /// Only keys below the prefix that sort after this one (S3's `start-after`; UTF-8 order).
        public var startAfter: String?

        public init() {}
    }

    public struct Failure: Sendable {
        public var uri: String
        public var reason: String
    }

    public struct Report: Sendable {
        public var listed = 0
        /// Left out by --include / --exclude / --since, or not a format the importer reads.
        public var filtered = 0
        public var unsupported: [String] = []
        public var unchanged = 0
        /// Objects whose tag changed but whose body is the one already imported.
        public var sameContent = 0
        public var imported: [CSVImport.Report] = []
        public var deleted: [String] = []
        public var failures: [Failure] = []
        /// Documents mode: what each new or changed document's chunks did.
        public var documents: [(uri: String, id: String, version: Int, counts: ChunkPlan.Counts)] = []
        /// Bytes of object bodies read (0 when nothing changed).
        public var bytesRead: Int64 = 0
        /// Sub-prefixes the source's delimiter rolled up (their objects not listed).
        public var rolledUp: [String] = []
    }

    public enum Progress: Sendable {
        case listing(objects: Int)
        /// The delta found so far: `objects` to read holding `bytes`; `complete` once the
        /// listing has no more pages (until then the plan grows page by page).
        case planned(objects: Int, bytes: Int64, complete: Bool)
        /// Reading the `number`-th object of the plan (from 1), `size` bytes.
        case started(number: Int, uri: String, size: Int64)
        case downloading(uri: String, bytes: Int64, of: Int64)
        case importing(uri: String, CSVImport.Progress)
    }

    public let blobs: any BlobSource
    public let store: any ObjectStateStore & DocumentStore
    public let importer: CSVImport
    public let options: Options
    /// The state URIs of this location start with this (`s3://bucket/prefix`, `file:///dir/`).
    public let uriPrefix: String
    public let sourceType: Provenance.SourceType

    public init(
        blobs: any BlobSource, store: any ObjectStateStore & DocumentStore, importer: CSVImport, uriPrefix: String, sourceType: Provenance.SourceType,
        options: Options
    ) {
        self.blobs = blobs
        self.store = store
        self.importer = importer
        self.uriPrefix = uriPrefix
        self.sourceType = sourceType
        self.options = options
    }

    /// The formats read, by name: CSV (``CSVImport``), NDJSON / JSON (``EventFileImport``).
    public static let suffixes = [".csv.gz", ".csv", ".ndjson.gz", ".ndjson", ".jsonl.gz", ".jsonl", ".json"]

    /// What `import --documents` reads.
    public static let documentSuffixes = [".md", ".markdown", ".txt"]

    /// The format suffix of `key`, or nil when no importer reads it.
    static func suffix(of key: String) -> String? {
        let lower = key.lowercased()
        return suffixes.first { lower.hasSuffix($0) }
    }

    /// The suffix of `key` among those this run reads (records' or documents').
    func readableSuffix(of key: String) -> String? {
        guard options.documents != nil else { return Self.suffix(of: key) }
        let lower = key.lowercased()
        return Self.documentSuffixes.first { lower.hasSuffix($0) }
    }

    /// Whether this run's listing would have shown the key below the prefix: after
    /// ``Options/startAfter``, not rolled up by the source's delimiter, and selected — so only
    /// such keys missing from the listing are recorded as deleted.
    func listable(_ keyBelowPrefix: String) -> Bool {
        if let startAfter = options.startAfter, !startAfter.precedesByBytes(keyBelowPrefix) { return false }
        if let delimiter = blobs.delimiter, keyBelowPrefix.contains(delimiter) { return false }
        return selects(Self.relativeKey(keyBelowPrefix, under: ""))
    }

    /// Whether `key` passes --include / --exclude (patterns apply to the key below the prefix).
    func selects(_ relativeKey: String) -> Bool {
        func matches(_ pattern: String) -> Bool { fnmatch(pattern, relativeKey, 0) == 0 }
        if !options.include.isEmpty, !options.include.contains(where: matches) { return false }
        return !options.exclude.contains(where: matches)
    }

    public func run(progress: @escaping (Progress) -> Void = { _ in }) async throws -> Report {
        var report = Report()
        let source = importer.options.source.rawValue
        let known = try await store.objectStates(source: source, uriPrefix: uriPrefix)
        var seen = Set<String>()
        var continuation: String?
        var planned = (objects: 0, bytes: Int64(0))
        repeat {
            let page = try await blobs.list(startAfter: options.startAfter, continuation: continuation)
            continuation = page.continuation
            report.rolledUp += page.commonPrefixes
            // A page's delta is decided first, so the progress line knows what is left to read.
            var delta: [(object: BlobObject, earlier: ObjectState?)] = []
            for object in page.objects {
                report.listed += 1
                progress(.listing(objects: report.listed))
                let relative = Self.relativeKey(object.uri, under: uriPrefix)
                guard selects(relative) else {
                    report.filtered += 1
                    continue
                }
                guard readableSuffix(of: object.key) != nil else {
                    report.filtered += 1
                    report.unsupported.append(object.uri)
                    continue
                }
                seen.insert(object.uri)
                if let since = options.since, let modified = object.lastModified, modified < since {
                    report.filtered += 1
                    continue
                }
                let earlier = known[object.uri]
                if !options.force, let earlier, earlier.status == .imported, earlier.etag == object.etag, earlier.size == object.size {
                    report.unchanged += 1
                    continue
                }
                delta.append((object, earlier))
            }
            planned.objects += delta.count
            planned.bytes += delta.reduce(0) { $0 + $1.object.size }
            progress(.planned(objects: planned.objects, bytes: planned.bytes, complete: continuation == nil))
            for (index, (object, earlier)) in delta.enumerated() {
                progress(.started(number: planned.objects - delta.count + index + 1, uri: object.uri, size: object.size))
                do {
                    if let chunker = options.documents {
                        try await importDocument(object, earlier: earlier, chunker: chunker, report: &report, progress: progress)
                    } else {
                        try await importObject(object, earlier: earlier, report: &report, progress: progress)
                    }
                } catch let error as BlobError where Self.isPerObject(error) {
                    report.failures.append(Failure(uri: object.uri, reason: error.description))
                    if options.documents != nil {
                        try await store.recordDocumentFailure(
                            id: Document.id(source: importer.options.source.rawValue, uri: object.uri), source: importer.options.source.rawValue,
                            uri: object.uri, error: error.description, at: .now())
                    }
                } catch let error as CSVImport.Failure {
                    report.failures.append(Failure(uri: object.uri, reason: error.description))
                }
            }
        } while continuation != nil
        // Objects imported before and now absent (within the same selection) were deleted.
        let now = UTCTimestamp.now()
        var gone: [ObjectState] = []
        for (uri, state) in known.sorted(by: { $0.key < $1.key }) where state.status == .imported && !seen.contains(uri) {
            guard listable(uri.hasPrefix(uriPrefix) ? String(uri.dropFirst(uriPrefix.count)) : uri) else { continue }
            var deleted = state
            deleted.status = .deleted
            deleted.updatedAt = now
            gone.append(deleted)
            report.deleted.append(uri)
        }
        if !gone.isEmpty { try await store.recordObjectStates(gone) }
        if options.documents != nil {
            for state in gone { try await store.markDocumentDeleted(id: Document.id(source: source, uri: state.uri), at: now) }
        }
        return report
    }

    /// Failures confined to one object: the others can still be imported.
    static func isPerObject(_ error: BlobError) -> Bool {
        switch error.code {
        case .changed, .noSuchKey, .unreadable, .invalidResponse: true
        default: false
        }
    }

    static func relativeKey(_ uri: String, under prefix: String) -> String {
        var relative = uri.hasPrefix(prefix) ? String(uri.dropFirst(prefix.count)) : uri
        while relative.hasPrefix("/") { relative.removeFirst() }
        return relative
    }

    private func importObject(_ object: BlobObject, earlier: ObjectState?, report: inout Report, progress: @escaping (Progress) -> Void) async throws {
        let source = importer.options.source.rawValue
        var state = ObjectState(
            source: source, uri: object.uri, etag: object.etag, size: object.size, lastModified: object.lastModified, contentSHA256: "",
            status: .imported, rows: 0, updatedAt: .now())
        let readPath: String
        var spool: String?
        if let local = blobs.localPath(of: object) {
            readPath = local
            state.contentSHA256 = try CSVImport.digest(of: local)
        } else {
            let (path, digest) = try await download(object, progress: progress)
            report.bytesRead += object.size
            spool = path
            readPath = path
            state.contentSHA256 = digest
        }
        defer { if let spool { try? FileManager.default.removeItem(atPath: spool) } }
        if !options.force, let earlier, earlier.status == .imported, earlier.contentSHA256 == state.contentSHA256 {
            // Re-uploaded with the same bytes: nothing to import, only the tag to remember.
            state.rows = earlier.rows
            try await store.recordObjectStates([state])
            report.sameContent += 1
            return
        }
        let tag = object.etag.isEmpty ? "" : "#etag=" + object.etag
        let origin = CSVImport.Origin(name: object.uri, uri: object.uri + tag, sourceType: sourceType, sha256: state.contentSHA256, object: state)
        let result =
            Self.suffix(of: object.key)?.hasPrefix(".csv") == true
            ? try await importer.run(path: readPath, origin: origin) { progress(.importing(uri: object.uri, $0)) }
            : try await EventFileImport(store: importer.store, options: importer.options).run(path: readPath, origin: origin) {
                progress(.importing(uri: object.uri, $0))
            }
        if result.alreadyImported {
            // The same bytes were imported before under another name: remember this object too.
            state.rows = result.rows
            try await store.recordObjectStates([state])
        }
        report.imported.append(result)
    }

    /// One `.md` / `.txt` object as a document: read whole (up to ``Options/maxDocumentBytes``),
    /// UTF-8 checked, chunked, and upserted so only changed chunks are rewritten; a document that
    /// cannot be read is recorded as failed (its earlier chunks kept) and the others go on.
    private func importDocument(
        _ object: BlobObject, earlier: ObjectState?, chunker: DocumentChunker, report: inout Report, progress: @escaping (Progress) -> Void
    ) async throws {
        let source = importer.options.source.rawValue
        let id = Document.id(source: source, uri: object.uri)
        guard object.size <= options.maxDocumentBytes else {
            throw BlobError(
                .unreadable, location: object.uri,
                "a document may hold at most \(options.maxDocumentBytes >> 20) MB (it is chunked whole); split it into smaller files")
        }
        var bytes: [UInt8] = []
        var offset: Int64 = 0
        while offset < object.size {
            let piece = try await blobs.read(object, range: offset..<min(object.size, offset + options.rangeBytes))
            guard !piece.isEmpty else {
                throw BlobError(.changed, location: object.uri, "the object ended at byte \(offset) of the \(object.size) listed; run the import again")
            }
            bytes += piece
            offset += Int64(piece.count)
            progress(.downloading(uri: object.uri, bytes: offset, of: object.size))
        }
        if blobs.localPath(of: object) == nil { report.bytesRead += offset }
        // A byte-order mark is not text.
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw BlobError(.unreadable, location: object.uri, "the document is not UTF-8 text; convert it (iconv -t UTF-8) and import again")
        }
        let contentHash = ContentHash.of(bytes: bytes)
        var metadata = ["media_type": object.key.lowercased().hasSuffix(".txt") ? "text/plain" : "text/markdown", "name": object.key]
        if let title = Self.title(of: text) { metadata["title"] = title }
        let document = Document(
            id: id, source: source, uri: object.uri, contentHash: contentHash, etag: object.etag, lastModified: object.lastModified, metadata: metadata,
            updatedAt: .now())
        let counts = try await store.upsertDocument(document, chunks: chunker.chunks(of: text, documentID: id))
        let version = try await store.document(id: id)?.document.version ?? 1
        try await store.recordObjectStates([
            ObjectState(
                source: source, uri: object.uri, etag: object.etag, size: object.size, lastModified: object.lastModified, contentSHA256: contentHash,
                status: .imported, rows: 1, updatedAt: .now())
        ])
        if counts.sameContent { report.sameContent += 1 } else { report.documents.append((object.uri, id, version, counts)) }
    }

    /// A Markdown document's first `# ` heading (or the first non-empty line of plain text).
    static func title(of text: String) -> String? {
        for line in text.split(separator: "\n", maxSplits: 50, omittingEmptySubsequences: true) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("# ") { return String(trimmed.dropFirst(2)).trimmingCharacters(in: .whitespaces) }
            if !trimmed.isEmpty { return String(trimmed.prefix(200)) }
        }
        return nil
    }

    /// Copies a remote object to a spool file in ranged reads; returns its path and digest.
    private func download(_ object: BlobObject, progress: @escaping (Progress) -> Void) async throws -> (String, String) {
        try FileManager.default.createDirectory(atPath: options.spoolDirectory, withIntermediateDirectories: true)
        let suffix = Self.suffix(of: object.key) ?? ""
        let path = options.spoolDirectory + "/tributary-spool-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)" + suffix
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw BlobError(.unreadable, location: path, "the spool file cannot be created; check --spool-dir (or TMPDIR) is writable")
        }
        var digest = FileDigest()
        var offset: Int64 = 0
        do {
            defer { try? handle.close() }
            while offset < object.size {
                let upper = min(object.size, offset + options.rangeBytes)
                let bytes = try await blobs.read(object, range: offset..<upper)
                guard !bytes.isEmpty else {
                    throw BlobError(.changed, location: object.uri, "the object ended at byte \(offset) of the \(object.size) listed; run the import again")
                }
                digest.update(bytes)
                try handle.write(contentsOf: bytes)
                offset += Int64(bytes.count)
                progress(.downloading(uri: object.uri, bytes: offset, of: object.size))
            }
        } catch {
            try? FileManager.default.removeItem(atPath: path)
            throw error
        }
        return (path, digest.finalize())
    }
}
