import ArgumentParser
import Foundation
import TributaryCore

/// `tributary bench chunk FILE…`: how fast documents are cut into hashed chunks, alone — no
/// store, no listing — so the chunker's speed is measured apart from the import around it.
struct BenchChunkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chunk",
        abstract: "Time cutting text files into hashed chunks, as `import --documents` does.",
        discussion: #"Prints {"files","mb","chunks","seconds","mb_per_s"}: the text's UTF-8 megabytes over the time to chunk and hash it."#
    )

    @Argument(help: "UTF-8 text files (.md, .txt).") var files: [String]
    @Option(help: "Characters per chunk.") var chunkSize = DocumentChunker.default.size
    @Option(help: "Characters each chunk repeats from the one before.") var chunkOverlap = DocumentChunker.default.overlap

    func validate() throws {
        if let problem = DocumentChunker(size: chunkSize, overlap: chunkOverlap).problem { throw ValidationError(problem) }
    }

    func run() async throws {
        var texts: [String] = []
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else { throw ValidationError("cannot read \(file)") }
            guard let text = String(validating: data, as: UTF8.self) else { throw ValidationError("\(file) is not UTF-8 text") }
            texts.append(text)
        }
        let chunker = DocumentChunker(size: chunkSize, overlap: chunkOverlap)
        let bytes = texts.reduce(0) { $0 + $1.utf8.count }
        let started = ContinuousClock.now
        var chunks = 0
        for (index, text) in texts.enumerated() { chunks += chunker.chunks(of: text, documentID: "doc_\(index)").count }
        let elapsed = ContinuousClock.now - started
        let seconds = elapsed.fractionalSeconds
        let megabytes = Double(bytes) / 1_048_576
        print(
            String(
                format: #"{"files":%d,"mb":%.1f,"chunks":%d,"seconds":%.3f,"mb_per_s":%.1f}"#, texts.count, megabytes, chunks, seconds,
                megabytes / max(seconds, 1e-9)))
    }
}
