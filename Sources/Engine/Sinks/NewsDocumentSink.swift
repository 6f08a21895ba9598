import Pipeline
import TributaryCore

/// Keeps every stored news article as a document with chunks (an extra sink of `run`): the
/// records stay the source of truth, the documents are what a vector index reads. An article
/// seen again unchanged rewrites nothing; a revised one rewrites only its changed chunks.
public struct NewsDocumentSink: RecordSink {
    public let store: any DocumentStore
    public let chunker: DocumentChunker

    public init(store: any DocumentStore, chunker: DocumentChunker = .default) {
        self.store = store
        self.chunker = chunker
    }

    public func write(_ batch: [Envelope]) async throws -> SinkWriteResult {
        var result = SinkWriteResult(stored: 0, duplicates: 0, revisions: 0)
        let now = UTCTimestamp.now()
        // Indices, not `for envelope in batch`: that copies every envelope (a retain of each of
        // its strings) just to find the few that are news.
        for index in batch.indices where batch[index].record.kind == .news {
            guard let (document, chunks) = NewsDocuments.document(of: batch[index].record, chunker: chunker, at: now) else { continue }
            let counts = try await store.upsertDocument(document, chunks: chunks)
            if counts.sameContent { result.duplicates += 1 } else { result.stored += 1 }
        }
        return result
    }
}
