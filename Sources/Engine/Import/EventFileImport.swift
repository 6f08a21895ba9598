import Foundation
import Pipeline
import TributaryCore

/// `.ndjson` / `.jsonl` files (one event per line: the push path's event format, also after
/// gzip) and `.json` files (one event, or an array of them) into the store, in atomic,
/// resumable batches — the JSON counterpart of ``CSVImport``, with its checkpoints, dead
/// letters and provenance.
///
/// Each event becomes a record through the same ``EventRecord`` conversion a pushed event goes
/// through, so a line of a file and the same event pushed give the same record or the same
/// problems. NDJSON is read a line at a time in bounded memory; a line longer than
/// ``maxLineBytes`` is a bad row, not a reason to buffer without end. A `.json` file is parsed
/// whole, so it may hold at most ``maxJSONBytes``; larger files are refused with the fix
/// (write them as NDJSON).
public struct EventFileImport: Sendable {
    public static let maxLineBytes = 1 << 20
    public static let maxJSONBytes = 64 << 20

    public let store: any ImportCheckpointStore
    public let options: CSVImport.Options
    private let builder: RecordBuilder

    public init(store: any ImportCheckpointStore, options: CSVImport.Options) {
        self.store = store
        self.options = options
        self.builder = RecordBuilder(source: options.source, defaultEndpoint: "import")
    }

    /// File names this importer reads (after an optional `.gz`).
    public static func isSupported(_ name: String) -> Bool {
        let lower = name.lowercased()
        let base = lower.hasSuffix(".gz") ? String(lower.dropLast(3)) : lower
        return base.hasSuffix(".ndjson") || base.hasSuffix(".jsonl") || (base.hasSuffix(".json") && !lower.hasSuffix(".gz"))
    }

    public func run(path readPath: String, origin: CSVImport.Origin? = nil, progress: (CSVImport.Progress) -> Void = { _ in }) async throws -> CSVImport.Report
    {
        let path = origin?.name ?? readPath
        var report = CSVImport.Report(path: path)
        report.sha256 = try origin?.sha256 ?? CSVImport.digest(of: readPath)
        let source = options.source.rawValue
        let done = try await store.importProgress(fileSHA256: report.sha256, source: source)
        if let done, done.completed, !options.force {
            report.alreadyImported = true
            report.rows = done.rowsDone
            return report
        }
        let resumeAfter = options.force ? 0 : (done?.rowsDone ?? 0)
        report.resumedAfter = resumeAfter
        let uri = origin?.uri ?? "file://" + CSVImport.absolute(readPath)
        let sourceType = origin?.sourceType ?? .file
        let isArray = path.lowercased().hasSuffix(".json")
        let format = isArray ? "import:json" : "import:ndjson"
        let now = UTCTimestamp.now()

        var records: [Envelope] = []
        var letters: [DeadLetter] = []
        var index = 0
        var rowsDone = resumeAfter
        var offset = 0
        var batchRows = 0
        var fields = RecordFieldSlots()
        func commit(completed: Bool) async throws {
            let result = try await store.commitImportBatch(
                ImportBatch(
                    records: records, deadLetters: letters, fileSHA256: report.sha256, source: source, path: path, rowsDone: rowsDone,
                    completed: completed, object: completed ? CSVImport.finished(origin?.object, rows: rowsDone) : nil))
            report.stored += result.stored
            report.duplicates += result.unchanged
            report.badRows += letters.count
            report.batches += 1
            report.rows += batchRows
            report.bytes = offset
            records.removeAll(keepingCapacity: true)
            letters.removeAll(keepingCapacity: true)
            batchRows = 0
            progress(CSVImport.Progress(rows: rowsDone, bytes: offset, totalBytes: nil))
            try await ImportStall.afterBatch(report.batches)
        }
        func take(_ line: Int, _ raw: ArraySlice<UInt8>, _ value: Parsed) async throws {
            index += 1
            guard index > resumeAfter else { return }
            batchRows += 1
            rowsDone = index
            let batchID = "\(report.sha256.dropFirst(7).prefix(12))-\((index - 1) / options.batchSize)"
            let place = isArray ? "item \(line)" : "line \(line)"
            func bad(_ reason: String) {
                letters.append(
                    DeadLetter(
                        source: source, endpoint: "import", reason: "\(path): \(place): \(reason)",
                        payload: .row(file: path, line: line, raw: Array(raw.prefix(64 * 1024)))))
            }
            switch value {
            case .problem(let problem): bad(problem)
            case .value(let item):
                switch EventRecord.build(item, rules: options.rules, builder: builder, fields: &fields) {
                case .failure(let invalid): bad(invalid.description)
                case .success(let built):
                    records.append(
                        Envelope(
                            record: built.record,
                            provenance: Provenance(
                                sourceID: options.source, sourceType: sourceType, sourceURI: uri, contentHash: ContentHash.of(built.record), ingestedAt: now,
                                observedAt: now, parentID: report.sha256, transformations: [format, "\(isArray ? "item" : "line"):\(line)"],
                                batchID: batchID, requestID: batchID), identity: built.identity))
                }
            }
            if batchRows >= options.batchSize { try await commit(completed: false) }
        }

        if isArray {
            let bytes = try Self.wholeFile(readPath, name: path)
            offset = bytes.count
            let value: JSONValue
            do { value = try JSONParser.parse(bytes, options: .rejectDuplicateKeys) } catch {
                throw CSVImport.Failure(description: "\(path): invalid JSON at byte \(error.offset): \(error.message)")
            }
            let items: [JSONValue]
            if case .array(let array) = value { items = array } else { items = [value] }
            for (number, item) in items.enumerated() { try await take(number + 1, [], .value(item)) }
        } else {
            var lines = LineReader(read: try CSVImport.source(readPath), maxLineBytes: Self.maxLineBytes)
            while let line = try lines.next() {
                offset = lines.offset
                if line.bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) && !line.truncated { continue }
                if line.truncated {
                    try await take(line.number, line.bytes, .problem("the line is longer than \(Self.maxLineBytes) bytes"))
                    continue
                }
                var slice = line.bytes
                if slice.last == 0x0D { slice = slice.dropLast() }
                do { try await take(line.number, slice, .value(try JSONParser.parse(slice, options: .rejectDuplicateKeys))) } catch let error
                    as JSONParseError
                {
                    try await take(line.number, slice, .problem("invalid JSON at byte \(error.offset) of the line: \(error.message)"))
                }
            }
        }
        try await commit(completed: true)
        return report
    }

    /// An event as read: its JSON, or why it is not JSON.
    enum Parsed {
        case value(JSONValue)
        case problem(String)
    }

    /// A `.json` file's bytes, refused past ``maxJSONBytes``.
    static func wholeFile(_ path: String, name: String) throws -> [UInt8] {
        let read = try CSVImport.source(path)
        var bytes: [UInt8] = []
        while true {
            let piece = try read(1 << 20)
            if piece.isEmpty { break }
            bytes += piece
            guard bytes.count <= maxJSONBytes else {
                throw CSVImport.Failure(
                    description:
                        "\(name): a .json file may hold at most \(maxJSONBytes >> 20) MB (it is parsed whole); write its events as NDJSON (.ndjson, one per line) to import it in bounded memory"
                )
            }
        }
        return bytes
    }
}

/// Lines of a byte stream, numbered from 1, each at most `maxLineBytes` (the rest of a longer
/// line is skipped and the line marked truncated), so memory stays bounded whatever the input.
struct LineReader {
    struct Line {
        var number: Int
        var bytes: ArraySlice<UInt8>
        var truncated: Bool
    }

    private let read: (Int) throws -> [UInt8]
    private let maxLineBytes: Int
    private var buffer: [UInt8] = []
    private var position = 0
    private var atEnd = false
    private var number = 0
    private(set) var offset = 0

    init(read: @escaping (Int) throws -> [UInt8], maxLineBytes: Int) {
        self.read = read
        self.maxLineBytes = maxLineBytes
    }

    mutating func next() throws -> Line? {
        var line: [UInt8] = []
        var truncated = false
        while true {
            if position >= buffer.count {
                if atEnd { break }
                buffer = try read(1 << 20)
                position = 0
                if buffer.isEmpty {
                    atEnd = true
                    break
                }
            }
            let end = buffer[position...].firstIndex(of: 0x0A)
            let piece = buffer[position..<(end ?? buffer.count)]
            if !truncated {
                if line.count + piece.count > maxLineBytes {
                    line += piece.prefix(maxLineBytes - line.count)
                    truncated = true
                } else {
                    line += piece
                }
            }
            offset += piece.count + (end == nil ? 0 : 1)
            position = (end ?? buffer.count - 1) + 1
            if end != nil {
                number += 1
                return Line(number: number, bytes: line[...], truncated: truncated)
            }
        }
        guard !line.isEmpty || truncated else { return nil }
        number += 1
        return Line(number: number, bytes: line[...], truncated: truncated)
    }
}
