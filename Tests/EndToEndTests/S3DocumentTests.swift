import Foundation
import Testing
import TributaryCore
import TributaryTesting

/// `import --documents s3://…` against moto, then the documents served by `run`: .md/.txt
/// objects are chunked, a re-run reads nothing, an edited paragraph rewrites one chunk, and
/// `GET /documents/{id}` returns the new version with chunks that rebuild the edited text.
@Suite(.serialized, .timeLimit(.minutes(5))) struct S3DocumentTests {
    static let credentials = ["AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_REGION": "us-east-1"]

    /// Five paragraphs of 100–130 characters: at chunk size 200 each is one chunk (two would not fit).
    static func note(_ third: String) -> String {
        let paragraphs = (1...5).map { index in
            index == 3 ? third : "Paragraph \(index): rates held, equities drifted and the curve flattened into the close; Zürich desks saw light volume. 😀"
        }
        return "# Desk note\n\n" + paragraphs.joined(separator: "\n\n") + "\n"
    }

    @Test func documentsFromABucketAreChunkedReimportedByChangeAndServed() async throws {
        let directory = try temporaryDirectory("s3-documents")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let moto = try MotoServerProcess()
        defer { moto.stop() }
        try moto.makeBucket("notes")
        func put(_ key: String, _ text: String) throws {
            try text.write(toFile: directory + "/upload", atomically: true, encoding: .utf8)
            try moto.put("notes", key, file: directory + "/upload")
        }
        let store = directory + "/t.sqlite"
        func importDocuments() throws -> Tributary.Run {
            let run = try Tributary.run(
                [
                    "import", "--documents", "s3://notes/desk/", "--endpoint-url", moto.endpoint, "--source", "notes", "--chunk-size", "200",
                    "--chunk-overlap", "0", "--store", store,
                ], environment: Self.credentials)
            #expect(run.status == 0, "\(run.stderr)")
            return run
        }
        let original = Self.note("Paragraph 3: the central bank kept its rate unchanged, as expected by most forecasters polled that week.")
        try put("desk/monday.md", original)
        try put("desk/plain.txt", "A short plain note.\n")
        try put("desk/tape.csv", "symbol,price\nBTC-USD,1\n")
        let id = Document.id(source: "notes", uri: "s3://notes/desk/monday.md")

        let first = try importDocuments()
        #expect(first.stdout.contains("s3://notes/desk/monday.md: document \(id) v1: "), "\(first.stdout)")
        #expect(first.stdout.contains("3 objects listed, 2 imported"), "\(first.stdout)")
        #expect(first.stdout.contains("1 object(s) not read"), "\(first.stdout)")
        let again = try importDocuments()
        #expect(again.stdout.contains("0 imported, 2 unchanged (not read)"), "\(again.stdout)")

        let edited = Self.note("Paragraph 3: the central bank cut its rate by a quarter point on Tuesday, which few forecasters polled had expected.")
        try put("desk/monday.md", edited)
        let changed = try importDocuments()
        #expect(changed.stdout.contains("document \(id) v2: 0 chunks added, 1 changed, 0 removed"), "\(changed.stdout)")
        #expect(changed.stdout.contains("1 document(s) new or changed, 1 chunk(s) to embed again"), "\(changed.stdout)")

        let sources = directory + "/sources"
        try FileManager.default.createDirectory(atPath: sources, withIntermediateDirectories: true)
        try "id: open\npush: {}\n".write(toFile: sources + "/open.yaml", atomically: true, encoding: .utf8)
        let run = try RunProcess(["--only", "open", "--port", "0", "--store", store], environment: ["TRIBUTARY_SOURCES_DIR": sources])
        let base = try await run.baseURL()
        let served = try await get(base + "/documents/" + id)
        #expect(served.status == 200, "\(served.bodyText)")
        let document = try JSONParser.parse(served.body)
        #expect(document["uri"] == .string("s3://notes/desk/monday.md"))
        #expect(document["version"] == .number("2"))
        #expect(document["content_hash"] == .string(ContentHash.of(bytes: Array(edited.utf8))))
        let chunks = document["chunks"]?.arrayValue ?? []
        let texts = chunks.compactMap { $0["text"]?.stringValue }
        #expect(!chunks.isEmpty, "\(served.bodyText.prefix(300))")
        #expect(texts.count == chunks.count && texts.joined() == edited)
        let malformed = try await get(base + "/documents/doc_123")
        #expect(malformed.status == 400 && malformed.bodyText.contains("not a document id"), "\(malformed.bodyText)")
        let unknown = try await get(base + "/documents/doc_" + String(repeating: "0", count: 24))
        #expect(unknown.status == 404, "\(unknown.bodyText)")
        run.signal(SIGTERM)
        #expect(await run.wait() == 0, "\(run.stderr.text)")

        // The chunk stream a vector index consumes: every chunk of both documents, in order.
        let export = try Tributary.run(["export", "--chunks", "--source", "notes", "--format", "jsonl", "--store", store])
        #expect(export.status == 0, "\(export.stderr)")
        #expect(export.stdout.split(separator: "\n").count == chunks.count + 1, "\(export.stdout.prefix(400))")
    }
}
