import Features
import Pipeline
import Testing
import TributaryCore
import TributaryTesting

/// Streaming (records through ``FeatureSink`` as they are stored) and backfill (the stored records
/// read back) give byte-identical rows; a killed backfill resumes to the same result.
@Suite struct StreamingBackfillTests {
    let second = FeatureStreams.second

    /// Trades as stored envelopes, in event-time order.
    func trades(count: Int, seed: UInt64) -> [Envelope] {
        var generator = SplitMix64(seed: seed)
        let t0 = 1_700_000_000 * second
        return (0..<count).map { index in
            let symbol = index % 4 == 0 ? "ETH-USDT" : "BTC-USDT"
            let time = UTCTimestamp(nanosecondsSinceEpoch: t0 + Int64(index) * 53_000_000 + Int64(generator.next() % 1_000_000))
            let trade = Trade(
                tradeID: String(1_000 + index), time: time, price: try! ExactDecimal(parsing: "\(200 + generator.next() % 20).\(generator.next() % 1000)"),
                size: try! ExactDecimal(parsing: "0.\(1 + generator.next() % 99)"), side: .buy)
            let record = Record(source: "venue", endpoint: "trades", symbol: symbol, venueSymbol: symbol, payload: .trade(trade))
            return Envelope.rest(
                record, sourceURI: "https://venue.example/trades", observedAt: time, requestID: "r\(index)", transformations: [], ingestedAt: time)
        }
    }

    var set: FeatureSet {
        var set = FeatureSet(
            name: "bars", version: 1, input: .init(kind: .trade), windows: [WindowSpec("1s")!, WindowSpec("10s/5s")!],
            features: [.ohlcv, .ewma(halfLife: 5 * second), .returns(lookback: 10), .volatility(lookback: 10)])
        set.watermark = 3 * second
        return set
    }

    @Test func streamingAShuffledDuplicatedSequenceEqualsBackfillingTheStoredRecords() async throws {
        let sorted = trades(count: 3_000, seed: 7)
        // Out of order by up to 30 records (~1.6 s, inside the 3 s watermark), 300 repeated.
        var generator = SplitMix64(seed: 8)
        var arrival = sorted.enumerated().map { (key: $0.offset + Int(generator.next() % 31), envelope: $0.element) }.sorted { $0.key < $1.key }.map(
            \.envelope)
        for _ in 0..<300 {
            let index = Int(generator.next() % UInt64(arrival.count))
            arrival.insert(arrival[index], at: min(arrival.count, index + 1 + Int(generator.next() % 20)))
        }

        let streamed = InMemoryStore()
        let sink = FeatureSink(sets: [set], store: streamed)
        try await StreamingBackfillTests.storeAndStream(arrival, batches: 250, into: streamed, through: sink)
        let streamedRows = try await allRows(streamed)
        let sinkCounters = sink.counters
        #expect(streamedRows.count > 300)
        #expect(sinkCounters.first?.counters.duplicates == 300)

        // Backfill from the same store: every row it computes is already there, identical.
        let again = try await FeatureBackfill(set: set, records: streamed, store: streamed).run(.init())
        #expect(again.records == sorted.count)
        #expect(again.inserted == 0 && again.updated == 0 && again.unchanged == streamedRows.count)

        // And into an empty feature store: the same rows, byte for byte.
        let fresh = InMemoryStore()
        _ = try await FeatureBackfill(set: set, records: streamed, store: fresh).run(.init())
        let backfilled = try await allRows(fresh)
        #expect(backfilled.map(\.row.contentHash) == streamedRows.map(\.row.contentHash))
        #expect(backfilled.allSatisfy { $0.computedBy == "backfill" } && streamedRows.allSatisfy { $0.computedBy == "run" })
    }

    @Test func aKilledBackfillResumesToTheSameRows() async throws {
        let records = InMemoryStore()
        _ = try records.upsert(trades(count: 2_000, seed: 3))
        let whole = InMemoryStore()
        var uninterrupted = FeatureBackfill(set: set, records: records, store: whole)
        uninterrupted.pageSize = 150
        _ = try await uninterrupted.run(.init())

        let target = FailingAfter(InMemoryStore(), writes: 4)
        var backfill = FeatureBackfill(set: set, records: records, store: target)
        backfill.pageSize = 150
        await #expect(throws: StoreUnavailable.self) { _ = try await backfill.run(.init()) }
        target.allowed = .max
        let resumed = try await backfill.run(.init())
        #expect(resumed.resumedAfter == 600 && resumed.records == 2_000)
        let resumedRows = try await allRows(target.store).map(\.row.contentHash)
        let wholeRows = try await allRows(whole).map(\.row.contentHash)
        #expect(resumedRows == wholeRows)

        // --to closes every window ending by then; a different range is a different checkpoint.
        let closed = try await FeatureBackfill(set: set, records: records, store: InMemoryStore()).run(
            .init(to: UTCTimestamp(nanosecondsSinceEpoch: 1_700_000_000 * second + 200 * second)))
        #expect(closed.resumedAfter == 0 && closed.inserted > wholeRows.count)
    }

    /// What `run` does with each batch: the store commits it, then the feature sink reads it.
    static func storeAndStream(_ arrival: [Envelope], batches size: Int, into store: InMemoryStore, through sink: FeatureSink) async throws {
        for start in stride(from: 0, to: arrival.count, by: size) {
            let batch = Array(arrival[start..<min(arrival.count, start + size)])
            _ = try store.upsert(batch)
            _ = try await sink.write(batch)
        }
    }

    func allRows(_ store: some FeatureStore) async throws -> [StoredFeatureRow] {
        var rows: [StoredFeatureRow] = []
        for symbol in ["BTC-USDT", "ETH-USDT"] {
            var cursor: FeatureRowCursor?
            while true {
                let page = try await store.featureRows(set: "bars", version: 1, symbol: symbol, after: cursor, limit: 100)
                rows += page
                guard let last = page.last else { break }
                cursor = last.cursor
            }
        }
        return rows
    }
}

/// A feature store that fails (as an outage) after `writes` upserts: a backfill killed mid-way.
final class FailingAfter: FeatureStore, GapStore, @unchecked Sendable {
    let store: InMemoryStore
    var allowed: Int

    init(_ store: InMemoryStore, writes: Int) {
        self.store = store
        allowed = writes
    }

    func upsertFeatures(_ rows: [FeatureRow], computedBy: String, at time: UTCTimestamp, checkpoint: FeatureCheckpoint?) async throws -> WriteResult {
        guard allowed > 0 else { throw StoreUnavailable(location: "test", reason: "killed") }
        allowed -= 1
        return try store.upsertFeatures(rows, computedBy: computedBy, at: time, checkpoint: checkpoint)
    }

    func latestFeatures(set: String, symbol: String) async throws -> [StoredFeatureRow] { store.latestFeatures(set: set, symbol: symbol) }
    func featureRows(set: String, version: Int, symbol: String?, after cursor: FeatureRowCursor?, limit: Int) async throws -> [StoredFeatureRow] {
        store.featureRows(set: set, version: version, symbol: symbol, after: cursor, limit: limit)
    }
    func featureCheckpoint(set: String, version: Int, scope: String) async throws -> FeatureCheckpoint? {
        store.featureCheckpoint(set: set, version: version, scope: scope)
    }
    func recordGaps(_ gaps: [Gap], detectedAt: UTCTimestamp) async throws -> Int { try store.recordGaps(gaps, detectedAt: detectedAt) }
    func gaps(source: SourceID?, limit: Int) async throws -> [Gap] { store.gaps(source: source, limit: limit) }
}

/// Under `correct`, events later than the watermark (within `lateness`) revise their bars: the
/// stored rows' last revisions are byte-identical to a backfill of the same records.
@Suite struct CorrectedStreamingTests {
    @Test func lateEventsRevisedInPlaceEndEqualToTheBackfill() async throws {
        let second = FeatureStreams.second
        let records = StreamingBackfillTests().trades(count: 2_000, seed: 11)
        // Every 7th trade arrives 60–80 trades (3–4 s) late: past the 1 s watermark, inside the lateness.
        var arrival: [Envelope] = []
        var held: [(due: Int, envelope: Envelope)] = []
        for (index, envelope) in records.enumerated() {
            if index % 7 == 3 { held.append((index + 60 + index % 20, envelope)) } else { arrival.append(envelope) }
            while let first = held.first, first.due <= index {
                arrival.append(first.envelope)
                held.removeFirst()
            }
        }
        arrival += held.map(\.envelope)
        var set = FeatureSet(name: "bars", version: 1, input: .init(kind: .trade), windows: [WindowSpec("1s")!, WindowSpec("4s/2s")!], features: [.ohlcv])
        set.watermark = second
        set.late = .correct
        set.lateness = 30 * second

        let store = InMemoryStore()
        let sink = FeatureSink(sets: [set], store: store)
        try await StreamingBackfillTests.storeAndStream(arrival, batches: 100, into: store, through: sink)
        let counters = try #require(sink.counters.first?.counters)
        #expect(counters.lateCorrected > 100 && counters.lateDropped == 0)
        let streamed = try await StreamingBackfillTests().allRows(store)
        #expect(streamed.contains { $0.revision > 1 && $0.row.corrections > 0 })

        let again = try await FeatureBackfill(set: set, records: store, store: store).run(.init())
        #expect(again.inserted == 0 && again.updated == 0 && again.unchanged == streamed.count)
    }
}
