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
