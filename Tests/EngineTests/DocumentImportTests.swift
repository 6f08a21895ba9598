import Engine
import Foundation
import Pipeline
import Testing
import TributaryCore
import TributaryTesting

/// `import --documents` on a folder and news records as documents: only changed chunks are
/// rewritten, unreadable text is a failed document, a deleted file a deleted document.
@Suite struct DocumentImportTests {
    static let note = (1...5).map { "Paragraph \($0) of the note says something about markets and rates." }.joined(separator: "\n\n")

    func directory() throws -> String {
        let path = NSTemporaryDirectory() + "tributary-documents-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    func run(_ root: String, _ store: InMemoryStore) async throws -> ObjectImport.Report {
        var options = ObjectImport.Options()
        options.documents = DocumentChunker(size: 80, overlap: 0)
        let importer = CSVImport(store: store, options: CSVImport.Options(source: "notes"))
        return try await ObjectImport(
            blobs: FolderBlobSource(root: root), store: store, importer: importer, uriPrefix: "file://" + CSVImport.absolute(root) + "/", sourceType: .file,
            options: options
        ).run()
    }

    func set(_ text: String, at path: String, modified: TimeInterval) throws {
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: modified)], ofItemAtPath: path)
    }

    @Test func aFolderOfDocumentsThenAnEditThenADeletion() async throws {
        let root = try directory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try set("# Weekly note\n\n" + Self.note, at: root + "/note.md", modified: 1_700_000_000)
        try set("plain words", at: root + "/plain.txt", modified: 1_700_000_000)
        try Data([0x66, 0xFF, 0xFE, 0x0A]).write(to: URL(fileURLWithPath: root + "/broken.txt"))
        try set("a,b\n", at: root + "/table.csv", modified: 1_700_000_000)
        let store = InMemoryStore()
        let uri = "file://" + CSVImport.absolute(root) + "/note.md"
        let id = Document.id(source: "notes", uri: uri)

        let first = try await run(root, store)
        #expect(first.documents.map(\.uri).sorted() == [uri, "file://" + CSVImport.absolute(root) + "/plain.txt"])
        #expect(first.unsupported.count == 1)
        #expect(first.failures.count == 1 && first.failures[0].reason.contains("not UTF-8"))
        let broken = try #require(store.document(id: Document.id(source: "notes", uri: "file://" + CSVImport.absolute(root) + "/broken.txt")))
        #expect(broken.document.status == .failed && broken.document.errorCount == 1)
        let stored = try #require(store.document(id: id))
        #expect(stored.document.metadata["title"] == "Weekly note")
        #expect(stored.document.version == 1)
        let chunkCount = stored.chunks.count
        #expect(chunkCount >= 5)

        // Unchanged: nothing read, nothing rewritten.
        let again = try await run(root, store)
        #expect(again.documents.isEmpty && again.unchanged == 2)

        try set(
            "# Weekly note\n\n" + Self.note.replacingOccurrences(of: "Paragraph 3 of", with: "Paragraph 3 (revised) of"), at: root + "/note.md",
            modified: 1_700_000_100)
        let edited = try await run(root, store)
        let counts = try #require(edited.documents.first?.counts)
        #expect(counts.added + counts.changed == 1 && counts.unchanged == chunkCount - 1)
        #expect(edited.documents.first?.version == 2)

        try FileManager.default.removeItem(atPath: root + "/note.md")
        let deleted = try await run(root, store)
        #expect(deleted.deleted == [uri])
        #expect(store.document(id: id)?.document.status == .deleted)
        #expect(store.document(id: id)?.chunks.isEmpty == true)
    }

    @Test func newsRecordsBecomeDocumentsOnce() async throws {
        let store = InMemoryStore()
        let sink = NewsDocumentSink(store: store, chunker: DocumentChunker(size: 100, overlap: 0))
        let news = SampleRecords.rest().filter { $0.record.kind == .news }
        #expect(!news.isEmpty)
        let first = try await sink.write(news + SampleRecords.rest().filter { $0.record.kind != .news })
        #expect(first.stored == news.count)
        let second = try await sink.write(news)
        #expect(second.stored == 0 && second.duplicates == news.count)
        let exported = store.documents(source: nil, after: nil, limit: 100)
        #expect(exported.count == news.count)
        #expect(exported.allSatisfy { $0.metadata["title"] != nil && !(store.document(id: $0.id)?.chunks.isEmpty ?? true) })
    }
}
