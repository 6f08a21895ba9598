import Foundation
import Pipeline
import StorePostgres
import StoreSQLite
import Testing
import TributaryCore
import TributaryTesting

/// One suite, every adapter: the semantics a store must have, whichever database is behind it.
///
/// Each test runs against the in-memory reference, a real SQLite file and a real PostgreSQL
/// database (a new one per test, on the cluster `make test` starts; `TRIBUTARY_TEST_POSTGRES_URL`
/// names it), so an adapter that differs from the others fails here first.
@Suite struct StoreContractTests {
    enum Adapter: String, CaseIterable, CustomTestStringConvertible, Sendable {
        case memory, sqlite, postgres
        var testDescription: String { rawValue }

        /// The adapters this run can test: PostgreSQL only where a server was started for the tests.
        static var available: [Adapter] { TestPostgres.url == nil ? [.memory, .sqlite] : allCases }

        /// A new, empty store and a cleanup.
        func make(deadLetterMaxBytes: Int = 64 * 1024) async throws -> (any RecordStore, @Sendable () -> Void) {
            switch self {
            case .memory:
                return (InMemoryStore(deadLetterMaxBytes: deadLetterMaxBytes), {})
            case .sqlite:
                let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tributary-contract-\(UUID().uuidString)").path
                let store = try SQLiteStore(path: directory + "/t.sqlite", deadLetterMaxBytes: deadLetterMaxBytes)
                return (store, { try? FileManager.default.removeItem(atPath: directory) })
            case .postgres:
                let store = try await PostgresStore(try await TestPostgres.freshDatabase(), deadLetterMaxBytes: deadLetterMaxBytes)
                return (store, { store.shutdown() })
            }
        }
    }

    @Test(arguments: Adapter.available)
    func everyKindAndProvenanceRoundTripsExactly(_ adapter: Adapter) async throws {
        let (store, cleanup) = try await adapter.make()
        defer { cleanup() }
        let envelopes = SampleRecords.rest() + SampleRecords.file(source: "tape")
        let result = try await store.upsert(envelopes)
        #expect(result == WriteResult(inserted: envelopes.count))
        for envelope in envelopes {
            let record = envelope.record
            let stored = try #require(
                try await store.storedRecord(source: record.source, kind: record.kind, symbol: record.symbol, naturalKey: record.naturalKey))
            #expect(stored.revision == 1)
            #expect(stored.envelope.record.jsonObject() == record.jsonObject(), "\(record.kind)")
            #expect(stored.envelope.provenance.jsonObject == envelope.provenance.jsonObject, "\(record.kind)")
            #expect(ContentHash.of(stored.envelope.record) == envelope.provenance.contentHash)
        }
        #expect(try await store.recordCount() == envelopes.count)
    }

    @Test(arguments: Adapter.available)
    func upsertInsertsSkipsIdenticalAndRevisesChanged(_ adapter: Adapter) async throws {
        let (store, cleanup) = try await adapter.make()
        defer { cleanup() }
        func quote(_ last: String, requestID: String = "r1") throws -> Envelope {
            let record = Record(
                source: "acme", endpoint: "ticker", symbol: "X", venueSymbol: "X",
                payload: .quote(Quote(asOf: SampleRecords.time, last: try ExactDecimal(parsing: last))))
            return Envelope.rest(record, sourceURI: "http://x", observedAt: .now(), requestID: requestID, transformations: [])
        }
        #expect(try await store.upsert([try quote("1.5")]) == WriteResult(inserted: 1))
        // The same datum fetched again, with a different scale and request: unchanged.
        #expect(try await store.upsert([try quote("1.50", requestID: "r2")]) == WriteResult(unchanged: 1))
        #expect(try await store.upsert([try quote("1.6")]) == WriteResult(updated: 1))
        let stored = try #require(try await store.storedRecord(source: "acme", kind: .quote, symbol: "X", naturalKey: SampleRecords.time.rfc3339))
        #expect(stored.revision == 2)
        guard case .quote(let q) = stored.envelope.record.payload else { Issue.record("not a quote"); return }
        #expect(q.last?.description == "1.6")
        #expect(try await store.recordCount() == 1)
    }

    @Test(arguments: Adapter.available)
    func identitiesThatDifferOnlyInUnicodeStayApart(_ adapter: Adapter) async throws {
        let (store, cleanup) = try await adapter.make()
        defer { cleanup() }
        let ids = ["caf\u{e9}", "cafe\u{301}", "CAF\u{c9}", "caf\u{e9} ", "\u{1F600}"]
        let envelopes = ids.map { id in
            Envelope.rest(
                Record(
                    source: "acme", endpoint: "trades", symbol: "X", venueSymbol: "X",
                    payload: .trade(Trade(tradeID: id, time: SampleRecords.time, price: ExactDecimal(1), size: ExactDecimal(1)))),
                sourceURI: "http://x", observedAt: .now(), requestID: "r", transformations: [])
        }
        #expect(try await store.upsert(envelopes).inserted == ids.count)
        for id in ids { #expect(try await store.storedRecord(source: "acme", kind: .trade, symbol: "X", naturalKey: id)?.envelope.record.naturalKey == id) }
    }

    @Test(arguments: Adapter.available)
    func keyFieldIdentitiesAreHonoured(_ adapter: Adapter) async throws {
        let (store, cleanup) = try await adapter.make()
        defer { cleanup() }
        var a = SampleRecords.rest()[2], b = a
        a.identity = "k|1"
        b.identity = "k|2"
        #expect(try await store.upsert([a, b]).inserted == 2)
        let stored = try #require(try await store.storedRecord(source: "acme", kind: .trade, symbol: "BTC-USDT", naturalKey: "k|2"))
        #expect(stored.envelope.identity == "k|2")
    }

    @Test(arguments: Adapter.available)
    func latestIsTheNewestPerSource(_ adapter: Adapter) async throws {
        let (store, cleanup) = try await adapter.make()
        defer { cleanup() }
        _ = try await store.upsert(
            SampleRecords.rest(source: "a") + SampleRecords.rest(source: "a", offsetSeconds: 60) + SampleRecords.rest(source: "b", offsetSeconds: -60))
        let latest = try await store.latest(symbol: "BTC-USDT", kind: .quote)
        #expect(latest.map(\.source) == ["a", "b"])
        #expect(latest.first?.asOf == SampleRecords.time.adding(seconds: 60))
        #expect(latest.last?.asOf == SampleRecords.time.adding(seconds: -60))
        #expect(try await store.latest(symbol: "ETH-USDT", kind: .quote).isEmpty)
    }

    @Test(arguments: Adapter.available)
    func deadLettersKeepWhatTheyHold(_ adapter: Adapter) async throws {
        let (store, cleanup) = try await adapter.make(deadLetterMaxBytes: 10)
        defer { cleanup() }
        let envelope = SampleRecords.rest()[0]
        let recordID = try await store.deadLetter(
            DeadLetter(source: "acme", endpoint: "ticker", reason: "constraint", payload: .record(StoredRecord(envelope))))
        let call = EndpointCallText(endpoint: "klines", symbols: ["BTCUSDT"], parameters: ["interval": "1m"])
        let responseID = try await store.deadLetter(
            DeadLetter(
                source: "acme", endpoint: "klines", reason: "invalid JSON at byte 3",
                payload: .response(call: call, status: 200, body: Array(repeating: 0x7B, count: 100))))
        let rowID = try await store.deadLetter(
            DeadLetter(source: "tape", endpoint: "import", reason: "line 3: column 2", payload: .row(file: "/t.csv", line: 3, raw: Array("a,b".utf8))))
        #expect(try await store.deadLetters(limit: 10, source: nil, pending: false).map(\.id) == [rowID, responseID, recordID])
        #expect(try await store.deadLetters(limit: 10, source: "tape", pending: false).map(\.id) == [rowID])
        #expect(try await store.deadLetterCount() == 3)
        let record = try #require(try await store.deadLetter(id: recordID))
        guard case .record(let row) = record.payload else { Issue.record("not a record"); return }
        // A dead letter keeps the record's JSON line: what it holds reads back as that line.
        #expect(try row.envelope().jsonObject == envelope.jsonObject)
        let response = try #require(try await store.deadLetter(id: responseID))
        guard case .response(let keptCall, let status, let body) = response.payload else { Issue.record("not a response"); return }
        #expect(keptCall == call && status == 200 && body.count == 10)
        guard case .row(let file, let line, let raw)? = try await store.deadLetter(id: rowID)?.payload else { Issue.record("not a row"); return }
        #expect(file == "/t.csv" && line == 3 && raw == Array("a,b".utf8))
        try await store.markReplayed(id: recordID, at: SampleRecords.time)
        #expect(try await store.deadLetters(limit: 10, source: nil, pending: true).map(\.id) == [rowID, responseID])
        #expect(try await store.deadLetter(id: recordID)?.replayedAt?.millisecondsSinceEpoch == SampleRecords.time.millisecondsSinceEpoch)
        #expect(try await store.deadLetter(id: 999) == nil)
    }

    @Test(arguments: Adapter.available)
    func deadLettersAreResolvedOnceAndDeletedWhenSettled(_ adapter: Adapter) async throws {
        let (store, cleanup) = try await adapter.make()
        defer { cleanup() }
        func row(_ file: String, _ line: Int, source: String = "tape") -> DeadLetter {
            DeadLetter(source: source, endpoint: "import", reason: "line \(line): bad", payload: .row(file: file, line: line, raw: Array("x".utf8)))
        }
        let a3 = try await store.deadLetter(row("a.csv", 3))
        let a5 = try await store.deadLetter(row("a.csv", 5))
        let a5again = try await store.deadLetter(row("a.csv", 5))
        let b3 = try await store.deadLetter(row("b.csv", 3))
        let other = try await store.deadLetter(row("a.csv", 3, source: "other"))
        // Only this source's pending rows of this very file, by line.
        let watched = try await store.pendingRowDeadLetters(source: "tape", file: "a.csv")
        #expect(watched.mapValues { Set($0) } == [3: [a3], 5: [a5, a5again]])
        #expect(try await store.pendingRowDeadLetters(source: "tape", file: "c.csv").isEmpty)

        // Resolving settles pending ones once; a replayed one or an unknown id is not counted.
        try await store.markReplayed(id: a5again, at: SampleRecords.time)
        let resolved = try await store.resolveDeadLetters(
            [DeadLetterResolution(id: a3, note: "re-imported"), DeadLetterResolution(id: a5again, note: "x"), DeadLetterResolution(id: 9999, note: "x")],
            at: SampleRecords.time)
        #expect(resolved == 1)
        #expect(try await store.resolveDeadLetters([DeadLetterResolution(id: a3, note: "again")], at: SampleRecords.time) == 0)
        let settled = try #require(try await store.deadLetter(id: a3))
        #expect(settled.state == "resolved" && settled.resolution == "re-imported")
        #expect(settled.resolvedAt?.millisecondsSinceEpoch == SampleRecords.time.millisecondsSinceEpoch)
        #expect(try await store.deadLetter(id: a5again)?.state == "replayed")
        #expect(try await store.deadLetter(id: a5)?.state == "pending")
        #expect(Set(try await store.deadLetters(limit: 10, source: nil, pending: true).compactMap(\.id)) == [a5, b3, other])
        #expect(try await store.deadLetterCount(pending: true) == 3)
        #expect(try await store.pendingRowDeadLetters(source: "tape", file: "a.csv") == [5: [a5]])

        // Deleting settled ones leaves every pending one; by id deletes whatever it names.
        #expect(try await store.deleteSettledDeadLetters(source: "other") == 0)
        #expect(try await store.deleteSettledDeadLetters(source: nil) == 2)
        #expect(try await store.deadLetterCount() == 3)
        #expect(try await store.deleteDeadLetters(ids: [b3, 9999]) == 1)
        #expect(Set(try await store.deadLetters(limit: 10, source: nil, pending: false).compactMap(\.id)) == [a5, other])
        // Ids are not reused after a delete.
        let next = try await store.deadLetter(row("a.csv", 7))
        #expect(next > other)
    }

    @Test(arguments: Adapter.available)
    func anImportBatchResolvesEarlierDeadLettersInItsTransaction(_ adapter: Adapter) async throws {
        let (store, cleanup) = try await adapter.make()
        defer { cleanup() }
        let earlier = try await store.deadLetter(
            DeadLetter(source: "tape", endpoint: "import", reason: "line 2: bad", payload: .row(file: "t.csv", line: 2, raw: [])))
        let batch = ImportBatch(
            records: SampleRecords.file(source: "tape"), deadLetters: [], fileSHA256: "sha256:ab", source: "tape", path: "t.csv", rowsDone: 4,
            completed: true, resolutions: [DeadLetterResolution(id: earlier, note: "re-imported from t.csv line 2")])
        _ = try await store.commitImportBatch(batch)
        #expect(try await store.deadLetter(id: earlier)?.resolution == "re-imported from t.csv line 2")
        #expect(try await store.deadLetterCount(pending: true) == 0)
    }

    @Test(arguments: Adapter.available)
    func gapsAreKeptOncePerStart(_ adapter: Adapter) async throws {
        let (store, cleanup) = try await adapter.make()
        defer { cleanup() }
        let t = SampleRecords.time
        let gap = Gap(source: "acme", symbol: "X", interval: "1m", from: t, to: t.adding(seconds: 300) ?? t, reason: "throttled")
        #expect(try await store.recordGaps([gap], detectedAt: t) == 1)
        #expect(try await store.recordGaps([gap], detectedAt: t) == 0)
        var later = gap
        later.from = t.adding(seconds: 600) ?? t
        later.to = t.adding(seconds: 660) ?? t
        #expect(try await store.recordGaps([later], detectedAt: t) == 1)
        let gaps = try await store.gaps(source: "acme", limit: 10)
        #expect(gaps.map(\.from.millisecondsSinceEpoch) == [later.from.millisecondsSinceEpoch, gap.from.millisecondsSinceEpoch])
        #expect(gaps.last?.reason == "throttled" && gaps.last?.interval == "1m")
        #expect(try await store.gaps(source: "other", limit: 10).isEmpty)
    }

    @Test(arguments: Adapter.available)
    func idempotencyKeysExpireAndWebhookIDsAreRemembered(_ adapter: Adapter) async throws {
        let (store, cleanup) = try await adapter.make()
        defer { cleanup() }
        let answer = IdempotentResponse(bodyHash: "h1", status: 202, response: Array(#"{"accepted":1}"#.utf8))
        try await store.saveIdempotentResponse(source: "acme", key: "k", answer, now: 1_000, expiresAt: 1_060)
        #expect(try await store.idempotentResponse(source: "acme", key: "k", now: 1_030) == answer)
        #expect(try await store.idempotentResponse(source: "other", key: "k", now: 1_030) == nil)
        #expect(try await store.idempotentResponse(source: "acme", key: "k", now: 1_060) == nil)
        #expect(try await store.purgeIdempotencyKeys(now: 1_061) == 1)
        #expect(try await store.rememberWebhookID(source: "acme", id: "msg-1", now: 1_000, forgetBefore: 400))
        #expect(!(try await store.rememberWebhookID(source: "acme", id: "msg-1", now: 1_001, forgetBefore: 401)))
        #expect(try await store.rememberWebhookID(source: "other", id: "msg-1", now: 1_001, forgetBefore: 401))
    }

    @Test(arguments: Adapter.available)
    func importBatchesCommitWithTheirCheckpoint(_ adapter: Adapter) async throws {
        let (store, cleanup) = try await adapter.make()
        defer { cleanup() }
        let sha = "sha256:" + String(repeating: "0", count: 64)
        #expect(try await store.importProgress(fileSHA256: sha, source: "tape") == nil)
        let bad = DeadLetter(source: "tape", endpoint: "import", reason: "line 4", payload: .row(file: "/t.csv", line: 4, raw: Array("x".utf8)))
        let first = try await store.commitImportBatch(
            ImportBatch(
                records: SampleRecords.file(source: "tape"), deadLetters: [bad], fileSHA256: sha,
                source: "tape", path: "/t.csv", rowsDone: 9, completed: false))
        #expect(first.inserted == SampleRecords.records().count)
        var progress = try #require(try await store.importProgress(fileSHA256: sha, source: "tape"))
        #expect(progress.rowsDone == 9 && progress.batches == 1 && progress.stored == first.inserted && progress.badRows == 1 && !progress.completed)
        let again = try await store.commitImportBatch(
            ImportBatch(
                records: SampleRecords.file(source: "tape"), deadLetters: [], fileSHA256: sha,
                source: "tape", path: "/t.csv", rowsDone: 12, completed: true))
        #expect(again.unchanged == SampleRecords.records().count)
        progress = try #require(try await store.importProgress(fileSHA256: sha, source: "tape"))
        #expect(progress.rowsDone == 12 && progress.batches == 2 && progress.completed)
        try await store.recordImportColumns([("price", "decimal"), ("time", "timestamp")], source: "tape", file: "/t.csv")
        try await store.recordImportColumns([("price", "string")], source: "tape", file: "/u.csv")  // the first type stays
        #expect(try await store.importColumns(source: "tape") == ["price": "decimal", "time": "timestamp"])
    }

    /// An import's records prepared by the store off its writer (``RecordPreparing``) are stored
    /// exactly as the records themselves would be; a prepared encoding that is not of these
    /// records (another count, another store's) is not used.
    @Test(arguments: Adapter.available)
    func aBatchPreparedByItsStoreIsStoredAsItsRecords(_ adapter: Adapter) async throws {
        let (store, cleanup) = try await adapter.make()
        defer { cleanup() }
        let records = SampleRecords.file(source: "tape").enumerated().map { index, envelope in
            var e = envelope
            e.provenance.transformations = ["import:csv", "line:\(index + 2)"]
            return e
        }
        let prepared = (store as? any RecordPreparing)?.prepare(records)
        let sha = "sha256:" + String(repeating: "1", count: 64)
        let result = try await store.commitImportBatch(
            ImportBatch(records: records, deadLetters: [], fileSHA256: sha, source: "tape", path: "/t.csv", rowsDone: 9, completed: false, prepared: prepared))
        #expect(result == WriteResult(inserted: records.count))
        for envelope in records {
            let record = envelope.record
            let stored = try #require(
                try await store.storedRecord(source: record.source, kind: record.kind, symbol: record.symbol, naturalKey: record.naturalKey))
            #expect(stored.envelope.record.jsonObject() == record.jsonObject(), "\(record.kind)")
            #expect(stored.envelope.provenance.jsonObject == envelope.provenance.jsonObject, "\(record.kind)")
        }
        // Prepared for two records, committed with one other: the one is what is stored.
        let other = SampleRecords.file(source: "other")
        let mismatched = (store as? any RecordPreparing)?.prepare(Array(other.prefix(2)))
        let foreign = PreparedRecords(encoding: "not this store's", count: 1)
        for (record, encoding) in [(other[2], mismatched), (other[3], foreign)] {
            _ = try await store.commitImportBatch(
                ImportBatch(
                    records: [record], deadLetters: [], fileSHA256: sha, source: "other", path: "/u.csv", rowsDone: 1, completed: false, prepared: encoding))
            let stored = try await store.storedRecord(
                source: record.record.source, kind: record.record.kind, symbol: record.record.symbol, naturalKey: record.record.naturalKey)
            #expect(stored?.envelope.record.jsonObject() == record.record.jsonObject())
        }
        #expect(try await store.recordCount() == records.count + 2)
    }

    @Test(arguments: Adapter.available)
    func rangeReadsPageInOrderWithoutOverlapOrGaps(_ adapter: Adapter) async throws {
        let (store, cleanup) = try await adapter.make()
        defer { cleanup() }
        var written: [Envelope] = []
        for minute in 0..<40 {
            for source in ["b", "a"] {
                written += SampleRecords.rest(source: SourceID(source), offsetSeconds: Int64(minute * 60))
            }
        }
        // Trade ids repeat per minute in the samples: give each its own.
        written = written.enumerated().map { index, envelope in
            guard case .trade(var trade) = envelope.record.payload else { return envelope }
            var e = envelope
            trade.tradeID = "t\(index)"
            e.record.payload = .trade(trade)
            e.provenance.contentHash = ContentHash.of(e.record)
            return e
        }
        _ = try await store.upsert(written)
        let from = SampleRecords.time.adding(seconds: 5 * 60)!, to = SampleRecords.time.adding(seconds: 30 * 60)!
        for kind in [Record.Kind.trade, .bar, .quote, .balance, .observation] {
            let query = RecordQuery(
                kind: kind, symbol: kind == .observation ? "GDP" : "BTC-USDT", from: kind == .balance ? nil : from, to: kind == .balance ? nil : to)
            var read: [Envelope] = []
            var cursor: RecordQuery.Cursor?
            repeat {
                let page = try await store.records(query, after: cursor, limit: 7)
                read += page.envelopes
                cursor = page.next
            } while cursor != nil
            let expected = written.filter(query.matches)
            let unique = Dictionary(expected.map { (RecordQuery.Cursor(after: $0), $0) }, uniquingKeysWith: { _, last in last })
            #expect(read.map(RecordQuery.Cursor.init(after:)) == unique.keys.sorted(), "\(kind)")
            #expect(read.count == unique.count, "\(kind)")
            if kind == .trade { #expect(read.count == 2 * 25 && read.first?.record.source == "a") }
        }
        #expect(try await store.records(RecordQuery(kind: .trade, source: "nobody"), after: nil, limit: 10).envelopes.isEmpty)
    }
}
