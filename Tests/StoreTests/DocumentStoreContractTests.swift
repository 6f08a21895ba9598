import Foundation
import Pipeline
import Testing
import TributaryCore
import TributaryTesting

/// Documents on every adapter: first ingestion, the same text again, an edit (only its chunks
/// rewritten, the version up), a failure, a deletion, and export paging.
@Suite struct DocumentStoreContractTests {
    typealias Adapter = StoreContractTests.Adapter
    static let chunker = DocumentChunker(size: 100, overlap: 0)
    static let text = (1...6).map { "Paragraph \($0) says something about markets and rates, in a sentence or two." }.joined(separator: "\n\n")

    static func document(_ text: String, uri: String = "s3://docs/a.md", etag: String = "e1") -> (Document, [DocumentChunk]) {
        let id = Document.id(source: "docs", uri: uri)
        let document = Document(
            id: id, source: "docs", uri: uri, contentHash: ContentHash.of(bytes: Array(text.utf8)), etag: etag,
            lastModified: UTCTimestamp(rfc3339: "2026-12-01T10:00:00Z"), metadata: ["title": "A", "media_type": "text/markdown"],
            updatedAt: UTCTimestamp(rfc3339: "2026-12-03T10:00:00Z")!)
        return (document, chunker.chunks(of: text, documentID: id))
    }

    @Test(arguments: Adapter.available)
    func ingestEditFailDelete(_ adapter: Adapter) async throws {
        let (store, cleanup) = try await adapter.make()
        defer { cleanup() }
        let (first, chunks) = Self.document(Self.text)
        #expect(chunks.count == 6)
        let counts = try await store.upsertDocument(first, chunks: chunks)
        #expect(counts == ChunkPlan.Counts(added: 6))
        let stored = try #require(try await store.document(id: first.id))
        #expect(stored.document == first)
        #expect(stored.chunks == chunks)

        let (same, sameChunks) = Self.document(Self.text, etag: "e2")
        let again = try await store.upsertDocument(same, chunks: sameChunks)
        #expect(again.sameContent && again.unchanged == 6)
        #expect(try await store.document(id: first.id)?.document.etag == "e2")

        // Paragraph 2 edited, paragraph 4 removed, a new one at the end.
        var paragraphs = Self.text.components(separatedBy: "\n\n")
        paragraphs[1] = "Paragraph 2 now says something else entirely about bonds."
        paragraphs.remove(at: 3)
        paragraphs.append("Paragraph 7 is new.")
        let (edited, editedChunks) = Self.document(paragraphs.joined(separator: "\n\n"), etag: "e3")
        let delta = try await store.upsertDocument(edited, chunks: editedChunks)
        // Paragraphs 1, 3 and 5 are untouched; 2 is edited in place (changed); 6 and the short new 7
        // now share one chunk at a position 5 held before (added); 4 and the old 6 are gone (removed).
        #expect(delta == ChunkPlan.Counts(added: 1, changed: 1, removed: 2, unchanged: 3))
        #expect(editedChunks.count == 5)
        let now = try #require(try await store.document(id: first.id))
        #expect(now.document.version == 2)
        #expect(now.chunks.map(\.text) == editedChunks.map(\.text))
        #expect(now.chunks.map(\.chunkID) == Array(0..<editedChunks.count))

        try await store.recordDocumentFailure(id: first.id, source: "docs", uri: first.uri, error: "not UTF-8", at: .now())
        let failed = try #require(try await store.document(id: first.id))
        #expect(failed.document.errorCount == 1 && failed.document.error == "not UTF-8")
        #expect(failed.chunks.count == editedChunks.count)

        try await store.markDocumentDeleted(id: first.id, at: .now())
        let deleted = try #require(try await store.document(id: first.id))
        #expect(deleted.document.status == .deleted && deleted.chunks.isEmpty)
        // Back again: all its chunks are written anew.
        let back = try await store.upsertDocument(edited, chunks: editedChunks)
        #expect(back.added == editedChunks.count && !back.sameContent)

        let newcomer = Document.id(source: "docs", uri: "s3://docs/never.md")
        try await store.recordDocumentFailure(id: newcomer, source: "docs", uri: "s3://docs/never.md", error: "denied", at: .now())
        #expect(try await store.document(id: newcomer)?.document.status == .failed)
    }

    @Test(arguments: Adapter.available)
    func exportPagesInOrder(_ adapter: Adapter) async throws {
        let (store, cleanup) = try await adapter.make()
        defer { cleanup() }
        var ids: [String] = []
        for index in 0..<5 {
            let (document, chunks) = Self.document(Self.text + " \(index)", uri: "s3://docs/\(index).md")
            _ = try await store.upsertDocument(document, chunks: chunks)
            ids.append(document.id)
        }
        var seen: [String] = []
        var after: String?
        while true {
            let page = try await store.documents(source: "docs", after: after, limit: 2)
            guard let last = page.last else { break }
            seen += page.map(\.id)
            after = last.id
        }
        #expect(seen == ids.sorted())
        #expect(try await store.documents(source: "other", after: nil, limit: 10).isEmpty)
        var chunks: [DocumentChunk] = []
        var cursor: (documentID: String, chunkID: Int)?
        while true {
            let page = try await store.documentChunks(source: nil, after: cursor, limit: 4)
            guard let last = page.last else { break }
            chunks += page
            cursor = (last.documentID, last.chunkID)
        }
        #expect(chunks.count == 30)
        #expect(chunks.map { "\($0.documentID)/\(1000 + $0.chunkID)" } == chunks.map { "\($0.documentID)/\(1000 + $0.chunkID)" }.sorted())
    }

    @Test func thePlanCountsEachKindOfChange() {
        func chunk(_ id: Int, _ hash: String) -> DocumentChunk {
            DocumentChunk(documentID: "d", chunkID: id, offset: 0, length: 1, chunkHash: hash, text: hash)
        }
        let old = [(chunkID: 0, chunkHash: "a"), (chunkID: 1, chunkHash: "b"), (chunkID: 2, chunkHash: "c")]
        // b edited in place, c removed, d appended after, a kept.
        let plan = ChunkPlan(old: old, new: [chunk(0, "a"), chunk(1, "B"), chunk(2, "d")])
        #expect(plan.counts == ChunkPlan.Counts(added: 0, changed: 2, removed: 0, unchanged: 1))
        let inserted = ChunkPlan(old: old, new: [chunk(0, "x"), chunk(1, "a"), chunk(2, "b"), chunk(3, "c")])
        #expect(inserted.counts == ChunkPlan.Counts(added: 1, changed: 0, removed: 0, unchanged: 3))
        #expect(inserted.delete.isEmpty)
        let shrunk = ChunkPlan(old: old, new: [chunk(0, "a")])
        #expect(shrunk.counts == ChunkPlan.Counts(removed: 2, unchanged: 1))
        #expect(shrunk.delete == ["b", "c"])
        let duplicated = ChunkPlan(old: [(0, "h"), (1, "h")], new: [chunk(0, "x"), chunk(1, "y")])
        #expect(duplicated.counts.removed >= 0 && duplicated.counts.changed == 1 && duplicated.counts.added == 1)
    }
}
