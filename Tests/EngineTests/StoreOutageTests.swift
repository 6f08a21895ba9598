import Engine
import Foundation
import Pipeline
import StoreSQLite
import Synchronization
import Testing
import TributaryCore

/// A sink whose store is unavailable for its first `outages` writes.
final class UnavailableSink: RecordSink {
    private let state: Mutex<(outages: Int, stored: Int)>
    init(outages: Int) { state = Mutex((outages, 0)) }
    var stored: Int { state.withLock { $0.stored } }
    func write(_ batch: [Envelope]) throws -> SinkWriteResult {
        try state.withLock { state in
            if state.outages > 0 {
                state.outages -= 1
                throw StoreUnavailable(location: "/x.sqlite", reason: "database or disk is full")
            }
            state.stored += batch.count
            return SinkWriteResult(stored: batch.count)
        }
    }
}

@Suite struct StoreOutageTests {
    func envelope(_ i: Int) -> Envelope {
        let record = Record(
            source: "binance", endpoint: "ticker", symbol: "BTC-USDT", venueSymbol: "BTCUSDT",
            payload: .quote(Quote(asOf: UTCTimestamp(secondsSinceEpoch: Int64(1_700_000_000 + i))!, last: ExactDecimal(i))))
        return Envelope.rest(record, sourceURI: "http://x", observedAt: .now(), requestID: "r\(i)", transformations: [])
    }

    @Test func anUnavailableStoreHoldsTheBatchReportsAndRecovers() async throws {
        let sink = UnavailableSink(outages: 3)
        let buffer = NormalizationBuffer<Envelope>(capacity: 64)
        let health = Mutex<[String?]>([])
        var worker = SinkWorker(buffer: buffer, sink: sink, deadLetters: nil, batchSize: 10, linger: .zero)
        worker.retryDelay = .milliseconds(1)
        worker.onStoreHealth = { problem in health.withLock { $0.append(problem?.reason) } }
        let running = Task { await worker.run() }
        for i in 0..<25 { try await buffer.push(envelope(i)) }
        buffer.finish()
        let totals = await running.value
        // Held and retried, not dead-lettered (the dead-letter table lives in the same store).
        #expect(totals.stored == 25 && sink.stored == 25)
        #expect(totals.deadLettered == 0 && totals.spilled == 0 && totals.lost == 0)
        // Reported once when it went down and once when it came back.
        #expect(health.withLock { $0 } == ["database or disk is full", nil])
    }

    @Test func atShutdownAnUnavailableStoreSpillsToAFile() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tributary-spill-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let sink = UnavailableSink(outages: .max)
        let buffer = NormalizationBuffer<Envelope>(capacity: 64)
        var worker = SinkWorker(buffer: buffer, sink: sink, deadLetters: nil, batchSize: 10, linger: .zero)
        worker.isStopping = { true }
        worker.spillPath = directory + "/spill.jsonl"
        let running = Task { await worker.run() }
        for i in 0..<25 { try await buffer.push(envelope(i)) }
        buffer.finish()
        let totals = await running.value
        #expect(totals.spilled == 25 && totals.lost == 0 && totals.stored == 0)
        let lines = try String(contentsOfFile: directory + "/spill.jsonl", encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 25)
        #expect(lines.first?.contains(#""request_id":"r0""#) == true)
    }

    @Test func aFullSQLiteFileSurfacesAsStoreUnavailable() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tributary-full-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try SQLiteStore(path: directory + "/t.sqlite", maxBytes: 256 * 1024)
        var caught: StoreUnavailable?
        for round in 0..<200 where caught == nil {
            do { try store.upsert((0..<50).map { envelope(round * 50 + $0) }) } catch let error as StoreUnavailable { caught = error }
        }
        let error = try #require(caught)
        #expect(error.reason.contains("full"))
        #expect(error.description.contains("t.sqlite"))
    }
}
