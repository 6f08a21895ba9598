import Connectors
import Engine
import Foundation
import Pipeline
import Synchronization
import Testing
import TributaryCore
import TributaryTesting

/// A folder (and a folder read as if it were remote, through the spool) imported as deltas:
/// unchanged objects are not read, changed ones re-imported, deleted ones recorded.
@Suite struct ObjectImportTests {
    static let header = "symbol,trade_id,time,price,size\n"

    func directory() throws -> String {
        let path = NSTemporaryDirectory() + "tributary-objects-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path + "/2026", withIntermediateDirectories: true)
        return path
    }

    func write(_ text: String, to path: String, modified: TimeInterval? = nil) throws {
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        if let modified { try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: modified)], ofItemAtPath: path) }
    }

    func importer(_ store: InMemoryStore) throws -> CSVImport {
        var options = CSVImport.Options(source: "tape")
        let (rules, _) = NormalizationRulesLoader.parse("kind: trade\n", file: "rules.yaml")
        options.rules = rules
        return CSVImport(store: store, options: options)
    }

    func run(_ blobs: any BlobSource, _ store: InMemoryStore, prefix: String, configure: (inout ObjectImport.Options) -> Void = { _ in }) async throws
        -> ObjectImport.Report
    {
        var options = ObjectImport.Options()
        options.rangeBytes = 7
        configure(&options)
        return try await ObjectImport(blobs: blobs, store: store, importer: try importer(store), uriPrefix: prefix, sourceType: .s3, options: options)
            .run()
    }

    /// A folder that hides its paths, so every object goes through ranged reads and the spool
    /// as a bucket's would; it counts the bytes read.
    struct Remote: BlobSource {
        let folder: FolderBlobSource
        let reads = Counter()
        var location: String { folder.location }
        func list(startAfter: String?, continuation: String?) async throws -> BlobPage {
            try await folder.list(startAfter: startAfter, continuation: continuation)
        }
        func read(_ object: BlobObject, range: Range<Int64>) async throws -> [UInt8] {
            let bytes = try await folder.read(object, range: range)
            reads.add(bytes.count)
            return bytes
        }
    }

    final class Counter: Sendable {
        private let value = Mutex(0)
        func add(_ count: Int) { value.withLock { $0 += count } }
        var total: Int { value.withLock { $0 } }
    }

    @Test func importsOnceThenOnlyTheDelta() async throws {
        let root = try directory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try write(
            Self.header + "BTC-USD,1,2026-12-01T00:00:00Z,100.5,1\nBTC-USD,2,2026-12-01T00:00:01Z,101,2\n", to: root + "/2026/a.csv", modified: 1_700_000_000)
        try write(Self.header + "ETH-USD,3,2026-12-01T00:00:00Z,10.5,1\n", to: root + "/2026/b.csv", modified: 1_700_000_000)
        try write("not a table", to: root + "/notes.txt")
        let store = InMemoryStore()
        let remote = Remote(folder: FolderBlobSource(root: root))
        let prefix = "file://" + CSVImport.absolute(root) + "/"

        let first = try await run(remote, store, prefix: prefix)
        #expect(first.listed == 3)
        #expect(first.imported.map(\.stored) == [2, 1])
        #expect(first.imported.map(\.path) == [prefix + "2026/a.csv", prefix + "2026/b.csv"])
        #expect(first.unsupported == [prefix + "notes.txt"])
        #expect(first.failures.isEmpty)
        let bytes = remote.reads.total
        #expect(first.bytesRead == Int64(bytes) && bytes > 0)
        let states = store.objectStates(source: "tape", uriPrefix: prefix)
        #expect(states.count == 2)
        #expect(states[prefix + "2026/a.csv"]?.rows == 2)
        #expect(states[prefix + "2026/a.csv"]?.contentSHA256.hasPrefix("sha256:") == true)
        let stored = try #require(store.storedRecord(source: "tape", kind: .trade, symbol: "BTC-USD", naturalKey: "1"))
        #expect(stored.envelope.provenance.sourceType == .s3)
        #expect(stored.envelope.provenance.sourceURI.hasPrefix(prefix + "2026/a.csv#etag="))
        #expect(stored.envelope.provenance.parentID == states[prefix + "2026/a.csv"]?.contentSHA256)

        // Nothing changed: no body is read.
        let second = try await run(remote, store, prefix: prefix)
        #expect(second.unchanged == 2 && second.imported.isEmpty && second.bytesRead == 0)
        #expect(remote.reads.total == bytes)

        // One file changes (a price corrected, a row added), one is deleted.
        try write(
            Self.header + "BTC-USD,1,2026-12-01T00:00:00Z,100.75,1\nBTC-USD,2,2026-12-01T00:00:01Z,101,2\nBTC-USD,4,2026-12-01T00:00:02Z,102,1\n",
            to: root + "/2026/a.csv", modified: 1_700_000_100)
        try FileManager.default.removeItem(atPath: root + "/2026/b.csv")
        let third = try await run(remote, store, prefix: prefix)
        #expect(third.imported.count == 1)
        #expect(third.imported.first?.stored == 2)  // the corrected row and the new one
        #expect(third.imported.first?.duplicates == 1)
        #expect(third.deleted == [prefix + "2026/b.csv"])
        #expect(store.storedRecord(source: "tape", kind: .trade, symbol: "BTC-USD", naturalKey: "1")?.revision == 2)
        #expect(store.objectStates(source: "tape", uriPrefix: prefix)[prefix + "2026/b.csv"]?.status == .deleted)

        // A deleted object is reported once.
        let fourth = try await run(remote, store, prefix: prefix)
        #expect(fourth.deleted.isEmpty && fourth.unchanged == 1)
    }

    /// `--delimiter /` reads one level and `--start-after` only later keys; neither run takes
    /// the objects it did not list for deleted ones.
    @Test func oneLevelAndAStartKeyLeaveTheRestAlone() async throws {
        let root = try directory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        for (index, name) in ["a.csv", "b.csv", "c.csv", "2026/d.csv"].enumerated() {
            try write(Self.header + "BTC-USD,\(index),2026-12-01T00:00:00Z,1,1\n", to: root + "/" + name)
        }
        let store = InMemoryStore()
        let prefix = "file://" + CSVImport.absolute(root) + "/"
        let everything = try await run(FolderBlobSource(root: root), store, prefix: prefix)
        #expect(everything.imported.count == 4 && everything.rolledUp.isEmpty)

        try write(Self.header + "BTC-USD,0,2026-12-01T00:00:00Z,1.5,1\n", to: root + "/a.csv", modified: 1_700_000_500)
        let top = try await run(FolderBlobSource(root: root, delimiter: "/"), store, prefix: prefix)
        #expect(top.listed == 3 && top.rolledUp == ["2026/"])
        #expect(top.imported.map(\.path) == [prefix + "a.csv"] && top.deleted.isEmpty)

        let later = try await run(FolderBlobSource(root: root), store, prefix: prefix) { $0.startAfter = "b.csv" }
        #expect(later.listed == 1 && later.unchanged == 1 && later.deleted.isEmpty)
        try FileManager.default.removeItem(atPath: root + "/c.csv")
        let gone = try await run(FolderBlobSource(root: root), store, prefix: prefix) { $0.startAfter = "b.csv" }
        #expect(gone.deleted == [prefix + "c.csv"])
    }

    @Test func theSameBytesUnderANewTagAreNotImportedAgain() async throws {
        let root = try directory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let text = Self.header + "BTC-USD,1,2026-12-01T00:00:00Z,100.5,1\n"
        try write(text, to: root + "/2026/a.csv", modified: 1_700_000_000)
        let store = InMemoryStore()
        let prefix = "file://" + CSVImport.absolute(root) + "/"
        _ = try await run(FolderBlobSource(root: root), store, prefix: prefix)
        try write(text, to: root + "/2026/a.csv", modified: 1_700_000_500)
        let again = try await run(FolderBlobSource(root: root), store, prefix: prefix)
        #expect(again.sameContent == 1 && again.imported.isEmpty && again.unchanged == 0)
        // The new tag is remembered: the next run finds it unchanged.
        #expect(try await run(FolderBlobSource(root: root), store, prefix: prefix).unchanged == 1)
    }

    @Test func includeExcludeAndSince() async throws {
        let root = try directory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try write(Self.header + "BTC-USD,1,2026-12-01T00:00:00Z,1,1\n", to: root + "/2026/old.csv", modified: 1_600_000_000)
        try write(Self.header + "BTC-USD,2,2026-12-01T00:00:00Z,1,1\n", to: root + "/2026/new.csv", modified: 1_700_000_000)
        try write(Self.header + "BTC-USD,3,2026-12-01T00:00:00Z,1,1\n", to: root + "/2026/skip.csv", modified: 1_700_000_000)
        let store = InMemoryStore()
        let prefix = "file://" + CSVImport.absolute(root) + "/"
        let report = try await run(FolderBlobSource(root: root), store, prefix: prefix) { options in
            options.include = ["2026/*.csv"]
            options.exclude = ["*skip*"]
            options.since = UTCTimestamp(secondsSinceEpoch: 1_650_000_000)
        }
        #expect(report.imported.map(\.path) == [prefix + "2026/new.csv"])
        #expect(report.filtered == 2)
        // Objects left out by --since were seen, not deleted; excluded ones are outside the selection.
        let again = try await run(FolderBlobSource(root: root), store, prefix: prefix) { $0.include = ["2026/new.csv"] }
        #expect(again.deleted.isEmpty && again.unchanged == 1)
    }

    /// A file replaced between the listing and the read fails alone; the others import.
    @Test func anObjectThatChangesWhileReadFailsAlone() async throws {
        let root = try directory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try write(Self.header + "BTC-USD,1,2026-12-01T00:00:00Z,1,1\n", to: root + "/2026/a.csv", modified: 1_700_000_000)
        try write(Self.header + "BTC-USD,2,2026-12-01T00:00:00Z,1,1\n", to: root + "/2026/b.csv", modified: 1_700_000_000)
        struct Changing: BlobSource {
            let folder: FolderBlobSource
            var location: String { folder.location }
            func list(startAfter: String?, continuation: String?) async throws -> BlobPage {
                var page = try await folder.list(startAfter: startAfter, continuation: continuation)
                page.objects[0].etag = "stale"
                return page
            }
            func read(_ object: BlobObject, range: Range<Int64>) async throws -> [UInt8] { try await folder.read(object, range: range) }
        }
        let store = InMemoryStore()
        let prefix = "file://" + CSVImport.absolute(root) + "/"
        let report = try await run(Changing(folder: FolderBlobSource(root: root)), store, prefix: prefix)
        #expect(report.failures.map(\.uri) == [prefix + "2026/a.csv"])
        #expect(report.failures.first?.reason.contains("changed") == true)
        #expect(report.imported.map(\.path) == [prefix + "2026/b.csv"])
        // Not recorded: the next run tries it again.
        #expect(store.objectStates(source: "tape", uriPrefix: prefix)[prefix + "2026/a.csv"] == nil)
    }

    /// Bucket-wide failures (access denied, no such bucket) stop the import with their error.
    @Test func aBucketWideFailureStopsTheImport() async throws {
        struct Denied: BlobSource {
            var location: String { "s3://ticks/" }
            func list(startAfter: String?, continuation: String?) async throws -> BlobPage {
                throw BlobError(.accessDenied, location: "s3://ticks/", "access denied")
            }
            func read(_ object: BlobObject, range: Range<Int64>) async throws -> [UInt8] { [] }
        }
        await #expect(throws: BlobError.self) { try await run(Denied(), InMemoryStore(), prefix: "s3://ticks/") }
    }
}
