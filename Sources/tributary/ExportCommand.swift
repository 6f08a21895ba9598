import ArgumentParser
import Engine
import Foundation
import Pipeline
import Service
import TributaryCore

/// `tributary export --kind K [--symbol S] [--source ID] [--from T] [--to T] --format csv|jsonl`:
/// stored records to standard output (or `--output FILE`), streamed from the store a page at a time.
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write stored records (or documents, or their chunks) as CSV or JSON Lines, streamed from the store.",
        discussion: """
            Times for --from (inclusive) and --to (exclusive): \(TimeText.relativeHelp).
            Examples:
              tributary export --kind bar --symbol BTC-USDT --from -1d --format csv
              tributary export --kind trade --source tape --from 2024-01-02 --to 2024-01-03 --format jsonl --output trades.jsonl
              tributary export --chunks --source docs --format jsonl     # what a vector index embeds
            """
    )

    @Option(help: "Record kind: \(Record.Kind.allCases.map(\.rawValue).joined(separator: ", ")).", completion: Completions.kinds) var kind: String?
    @Flag(help: "Export documents (news articles and imported .md/.txt files) instead of records.") var documents = false
    @Flag(help: "Export the documents' chunks (doc_id, chunk_id, offset, length, chunk_hash, text) instead of records.") var chunks = false
    @Option(help: "Only this symbol (canonical, e.g. BTC-USDT).") var symbol: String?
    @Option(help: "Only this source id.", completion: Completions.sources) var source: String?
    @Option(help: "From this time (inclusive).") var from: String?
    @Option(help: "Up to this time (exclusive).") var to: String?
    @Option(help: "csv or jsonl.", completion: Completions.formats) var format: String = "csv"
    @Option(help: "Write to this file instead of standard output.") var output: String?
    @Option(help: "The store: sqlite:PATH or a file path (default: store.url / store.path, else data/tributary.sqlite).") var store: String?
    @Option(help: "Engine settings file (YAML).", completion: Completions.yamlFiles) var config: String?

    func validate() throws {
        let chosen = [kind != nil, documents, chunks].filter { $0 }.count
        guard chosen == 1 else { throw ValidationError("give exactly one of --kind K, --documents or --chunks") }
        if documents || chunks, symbol != nil || from != nil || to != nil {
            throw ValidationError("--symbol, --from and --to select records; documents and chunks are selected by --source only")
        }
    }

    func run() async throws {
        guard let format = RecordExport.Format(rawValue: format) else { throw CLIError("--format '\(format)': use csv or jsonl") }
        if documents || chunks {
            let store = try await ServiceSettings.load(config: config, store: store).openExistingStore()
            let handle = try CommandOptions.outputHandle(output)
            let count =
                documents
                ? try await DocumentExport.streamDocuments(from: store, source: source, format: format) { try handle.write(contentsOf: $0) }
                : try await DocumentExport.streamChunks(from: store, source: source, format: format) { try handle.write(contentsOf: $0) }
            if output != nil { try handle.close() }
            FileHandle.standardError.write(Data("exported \(count) \(documents ? "document" : "chunk")\(count == 1 ? "" : "s")\n".utf8))
            return
        }
        let query = try Self.query(kind: kind ?? "", symbol: symbol, source: source, from: from, to: to, now: .now())
        let reader = try await ServiceSettings.load(config: config, store: store).openExistingStore()
        let handle = try CommandOptions.outputHandle(output)
        let count = try await RecordExport.stream(from: reader, query, format: format) { bytes in try handle.write(contentsOf: bytes) }
        if output != nil { try handle.close() }
        FileHandle.standardError.write(Data("exported \(count) \(query.kind.rawValue) record\(count == 1 ? "" : "s")\n".utf8))
    }

    /// The query the options describe; each mistake names its option and what it takes.
    static func query(kind: String, symbol: String?, source: String?, from: String?, to: String?, now: UTCTimestamp) throws -> RecordQuery {
        guard let parsedKind = Record.Kind(rawValue: kind) else {
            throw CLIError("--kind '\(kind)': use one of \(Record.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let query = RecordQuery(
            kind: parsedKind, symbol: symbol, source: source.map { SourceID($0) }, from: try CommandOptions.time(from, "--from", now: now),
            to: try CommandOptions.time(to, "--to", now: now))
        if let start = query.from, let end = query.to, end <= start { throw CLIError("--to (\(end.rfc3339)) must be after --from (\(start.rfc3339))") }
        return query
    }
}
