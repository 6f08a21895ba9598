import Foundation
import Pipeline
import Testing
import TributaryCore
import TributaryTesting

/// The objects of buckets and folders, on every adapter: a state commits with its object's
/// completing batch (and only with it), reads back exactly, and a prefix reads only its own
/// objects — byte-wise, whatever `%`, `_` or non-ASCII a key holds.
@Suite struct ObjectStateContractTests {
    typealias Adapter = StoreContractTests.Adapter

    static func state(_ uri: String, etag: String = "e1", status: ObjectState.Status = .imported, rows: Int = 2) -> ObjectState {
        ObjectState(
            source: "tape", uri: uri, etag: etag, size: 120, lastModified: UTCTimestamp(rfc3339: "2026-12-01T10:00:00Z"),
            contentSHA256: "sha256:" + String(repeating: "ab", count: 32), status: status, rows: rows, updatedAt: UTCTimestamp(rfc3339: "2026-12-03T10:00:00Z")!
        )
    }

    @Test(arguments: Adapter.available)
    func aStateCommitsWithItsLastBatch(_ adapter: Adapter) async throws {
        let (store, cleanup) = try await adapter.make()
        defer { cleanup() }
        let records = SampleRecords.file(source: "tape")
        let object = Self.state("s3://ticks/2026/a.csv")
        try await store.commitImportBatch(
            ImportBatch(records: records, deadLetters: [], fileSHA256: object.contentSHA256, source: "tape", path: object.uri, rowsDone: 1, completed: false))
        #expect(try await store.objectStates(source: "tape", uriPrefix: "s3://ticks/").isEmpty)
        try await store.commitImportBatch(
            ImportBatch(
                records: [], deadLetters: [], fileSHA256: object.contentSHA256, source: "tape", path: object.uri, rowsDone: 2, completed: true, object: object))
        #expect(try await store.objectStates(source: "tape", uriPrefix: "s3://ticks/") == [object.uri: object])
    }

    @Test(arguments: Adapter.available)
    func aPrefixReadsOnlyItsOwnObjects(_ adapter: Adapter) async throws {
        let (store, cleanup) = try await adapter.make()
        defer { cleanup() }
        let uris = ["s3://ticks/2026/a.csv", "s3://ticks/2026/b%_é.csv", "s3://ticks/20261/c.csv", "s3://ticks/2025/d.csv", "s3://tickz/2026/e.csv"]
        try await store.recordObjectStates(uris.map { Self.state($0) })
        var other = Self.state("s3://ticks/2026/a.csv")
        other.source = "other"
        try await store.recordObjectStates([other])
        let found = try await store.objectStates(source: "tape", uriPrefix: "s3://ticks/2026/")
        #expect(found.keys.sorted() == ["s3://ticks/2026/a.csv", "s3://ticks/2026/b%_é.csv"])
        #expect(try await store.objectStates(source: "tape", uriPrefix: "s3://ticks/2026%").isEmpty)
        #expect(try await store.objectStates(source: "tape", uriPrefix: "s3://ticks/").count == 4)
    }

    @Test(arguments: Adapter.available)
    func aStateIsReplacedNotDuplicated(_ adapter: Adapter) async throws {
        let (store, cleanup) = try await adapter.make()
        defer { cleanup() }
        try await store.recordObjectStates([Self.state("file:///data/a.csv")])
        let deleted = Self.state("file:///data/a.csv", etag: "e2", status: .deleted, rows: 5)
        try await store.recordObjectStates([deleted])
        #expect(try await store.objectStates(source: "tape", uriPrefix: "file:///data/") == ["file:///data/a.csv": deleted])
    }
}
