import Engine
import Foundation
import Pipeline
import StoreSQLite
import Synchronization
import Testing
import TributaryCore

/// A sink that fails on request and remembers what it stored.
final class FlakySink: RecordSink {
    private let state = Mutex<(stored: [Envelope], failNext: Bool)>(([], false))
    func failNextBatch() { state.withLock { $0.failNext = true } }
    var stored: [Envelope] { state.withLock { $0.stored } }
    func write(_ batch: [Envelope]) throws -> SinkWriteResult {
        try state.withLock { state in
            if state.failNext {
                state.failNext = false
                throw CocoaError(.fileWriteOutOfSpace)
            }
            state.stored += batch
            return SinkWriteResult(stored: batch.count)
        }
    }
}

/// A sink that prepares its writes: the encoding of a batch is its request ids. Its first write
/// waits (bounded) until the next batch has been prepared, which only a worker that prepares
/// ahead while writing can make happen.
final class PreparingSink: RecordSink, RecordPreparing {
    private struct State {
        var prepared: [[String]] = []
        var written: [[String]] = []
        var mismatched = 0
        var overlapped = false
    }
    private let state = Mutex(State())
    var prepared: [[String]] { state.withLock { $0.prepared } }
    var written: [[String]] { state.withLock { $0.written } }
    var mismatched: Int { state.withLock { $0.mismatched } }
    var overlapped: Bool { state.withLock { $0.overlapped } }

    var writePreparer: (any RecordPreparing)? { self }

    func prepare(_ records: [Envelope]) -> PreparedRecords {
        let ids = records.map(\.provenance.requestID)
        state.withLock { $0.prepared.append(ids) }
        return PreparedRecords(encoding: ids, count: records.count)
    }

    func write(_ batch: [Envelope]) async throws -> SinkWriteResult { try await write(batch, prepared: nil) }

    func write(_ batch: [Envelope], prepared: PreparedRecords?) async throws -> SinkWriteResult {
        let ids = batch.map(\.provenance.requestID)
        let first = state.withLock { $0.written.isEmpty }
        if first {
            // Bounded: a worker that does not prepare ahead fails the `overlapped` expectation.
            for _ in 0..<30_000 where state.withLock({ $0.prepared.count }) < 2 { try await Task.sleep(for: .milliseconds(1)) }
            state.withLock { $0.overlapped = $0.prepared.count >= 2 }
        }
        state.withLock { state in
            if (prepared?.encoding as? [String]) != ids { state.mismatched += 1 }
            state.written.append(ids)
        }
        return SinkWriteResult(stored: batch.count)
    }
}

@Suite struct SinkWorkerTests {
    func envelope(_ i: Int) -> Envelope {
        let record = Record(
            source: "binance", endpoint: "ticker", symbol: "BTC-USDT", venueSymbol: "BTCUSDT",
            payload: .quote(Quote(asOf: UTCTimestamp(secondsSinceEpoch: Int64(1_700_000_000 + i))!, last: ExactDecimal(i))))
        return Envelope.rest(record, sourceURI: "http://x", observedAt: .now(), requestID: "r\(i)", transformations: [])
    }

    @Test func everythingPushedIsStoredOrDeadLettered() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tributary-sink-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try SQLiteStore(path: directory + "/t.sqlite")
        let sink = FlakySink()
        let buffer = NormalizationBuffer<Envelope>(capacity: 64)
        let worker = SinkWorker(buffer: buffer, sink: sink, deadLetters: store, batchSize: 10, linger: .zero)
        let running = Task { await worker.run() }
        for i in 0..<25 { try await buffer.push(envelope(i)) }
        while buffer.stats.depth > 0 { await Task.yield() }
        sink.failNextBatch()
        for i in 25..<30 { try await buffer.push(envelope(i)) }
        buffer.finish()
        let totals = await running.value
        // The failed batch (whatever part of the last five it held) went to the dead letters, the rest was stored.
        #expect(totals.stored + totals.deadLettered == 30)
        #expect((1...5).contains(totals.deadLettered))
        #expect(try await store.deadLetterCount() == totals.deadLettered)
        #expect(sink.stored.count == totals.stored)
    }

    @Test func aPreparingSinkGetsTheNextBatchPreparedWhileOneIsWrittenInOrder() async throws {
        let sink = PreparingSink()
        let buffer = NormalizationBuffer<Envelope>(capacity: 64)
        for i in 0..<35 { #expect(buffer.tryPush(envelope(i)) == .accepted) }
        buffer.finish()
        let totals = await SinkWorker(buffer: buffer, sink: sink, deadLetters: nil, batchSize: 10, linger: .zero).run()
        #expect(totals.stored == 35 && totals.batches == 4)
        // Batch 2 was prepared while batch 1 was being written.
        #expect(sink.overlapped)
        // Each write came with its own batch's encoding, and batches were written in buffer order.
        #expect(sink.mismatched == 0)
        #expect(sink.written.flatMap { $0 } == (0..<35).map { "r\($0)" })
        #expect(sink.written == sink.prepared)
    }

    @Test func aFanOutPassesThePrimarysPreparationThrough() async throws {
        let primary = PreparingSink()
        let extra = FlakySink()
        let fanOut = FanOutSink(primary: primary, extras: [("extra", extra)])
        #expect(fanOut.writePreparer != nil)
        #expect(FanOutSink(primary: extra, extras: []).writePreparer == nil)
        let buffer = NormalizationBuffer<Envelope>(capacity: 64)
        for i in 0..<25 { #expect(buffer.tryPush(envelope(i)) == .accepted) }
        buffer.finish()
        let totals = await SinkWorker(buffer: buffer, sink: fanOut, deadLetters: nil, batchSize: 10, linger: .zero).run()
        #expect(totals.stored == 25 && primary.mismatched == 0 && extra.stored.count == 25)
    }

    @Test func aSQLiteStorePreparesAheadAndStoresWhatItWouldHaveStored() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tributary-sink-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try SQLiteStore(path: directory + "/t.sqlite")
        #expect((store as any RecordSink).writePreparer != nil)
        let buffer = NormalizationBuffer<Envelope>(capacity: 64)
        for i in [1, 2, 1, 2, 3, 4, 5] { #expect(buffer.tryPush(envelope(i)) == .accepted) }
        buffer.finish()
        let totals = await SinkWorker(buffer: buffer, sink: store, deadLetters: store, batchSize: 2, linger: .zero).run()
        #expect(totals.stored == 5 && totals.duplicates == 2 && totals.batches == 4)
        // An encoding this store did not make, or made for a different number of records, is
        // ignored and the batch encoded here.
        let foreign = PreparedRecords(encoding: ["r6"], count: 1)
        let result = try await store.upsert([envelope(6)], prepared: foreign)
        #expect(result.inserted == 1)
        let mismatchedCount = store.prepare([envelope(7), envelope(8)])
        #expect(try await store.upsert([envelope(7)], prepared: mismatchedCount).inserted == 1)
        #expect(try await store.records(RecordQuery(kind: .quote), after: nil, limit: 100).envelopes.count == 7)
    }

    @Test func storeSinkCountsDuplicatesAndJSONLinesAppends() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tributary-sink-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try SQLiteStore(path: directory + "/t.sqlite")
        let buffer = NormalizationBuffer<Envelope>(capacity: 64)
        for i in [1, 2, 1, 2, 3] { #expect(buffer.tryPush(envelope(i)) == .accepted) }
        buffer.finish()
        let totals = await SinkWorker(buffer: buffer, sink: store, deadLetters: store, batchSize: 2, linger: .zero).run()
        #expect(totals.stored == 3 && totals.duplicates == 2 && totals.batches == 3)

        let file = directory + "/out.jsonl"
        let lines = try JSONLinesSink(path: file)
        _ = try lines.write([envelope(1), envelope(2)])
        _ = try JSONLinesSink(path: file).write([envelope(3)])
        let text = try String(contentsOfFile: file, encoding: .utf8)
        #expect(text.split(separator: "\n").count == 3)
        #expect(try text.split(separator: "\n").allSatisfy { try JSONParser.parse(Array($0.utf8))["provenance"] != nil })
    }
}
