import Foundation
import GRDB
import Pipeline
import Testing
import TributaryCore
import TributaryTesting

@testable import StoreSQLite

/// The log copied into the file by the store's own checkpoint thread, not by the writer.
@Suite struct SQLiteCheckpointerTests {
    private static func trades(_ range: Range<Int>) -> [Envelope] {
        range.map { id in
            Envelope.rest(
                Record(
                    source: "acme", endpoint: "trades", symbol: "BTC-USDT", venueSymbol: "BTCUSDT",
                    payload: .trade(Trade(tradeID: String(id), time: SampleRecords.time, price: ExactDecimal(id), size: ExactDecimal(1)))),
                sourceURI: "http://x", observedAt: .now(), requestID: "r\(id / 100)", transformations: [])
        }
    }

    /// Rows in the database file itself (a copy of it without its log), i.e. checkpointed.
    private static func rowsInFile(_ path: String) throws -> Int {
        let copy = path + ".copy"
        defer { try? FileManager.default.removeItem(atPath: copy) }
        try FileManager.default.copyItem(atPath: path, toPath: copy)
        let queue = try DatabaseQueue(path: copy)
        return try queue.read { db in
            // Right after opening, even the tables may be only in the log.
            guard try db.tableExists("trades") else { return 0 }
            return try Int.fetchOne(db, sql: "SELECT count(*) FROM trades") ?? 0
        }
    }

    /// A few small writes stay far below SQLite's own 1,000-page checkpoint in the writer, so rows
    /// that reach the file got there through the checkpointer's connection.
    @Test func commitsReachTheFileWithoutTheWriterCheckpointing() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ckpt-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/store.sqlite"
        let store = try SQLiteStore(path: path)
        #expect(try Self.rowsInFile(path) == 0)
        for start in stride(from: 0, to: 300, by: 100) { _ = try store.upsert(Self.trades(start..<start + 100)) }
        // The thread runs on its own; wait for it as long as a slow machine needs, no longer.
        let deadline = ContinuousClock.now + .seconds(60)
        var inFile = 0
        while ContinuousClock.now < deadline {
            inFile = try Self.rowsInFile(path)
            if inFile == 300 { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(inFile == 300)
        let counts = store.checkpointer.snapshot
        #expect(counts.passes >= 1 && counts.framesCopied > 0)
        #expect(counts.failures == 0, "\(counts.lastFailure ?? "")")
        // The writer's connection still reads everything, and later writes keep working.
        #expect(try store.upsert(Self.trades(300..<301)).inserted == 1)
    }

    /// Stopping waits for the thread; commits noted afterwards start nothing.
    @Test func stopEndsTheThreadAndLaterCommitsAreIgnored() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ckpt-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try SQLiteStore(path: directory + "/store.sqlite")
        let checkpointer = try SQLiteCheckpointer(path: store.path, minimumSpacing: .zero)
        checkpointer.stop()
        let before = checkpointer.snapshot
        checkpointer.noteCommit()
        _ = try store.upsert(Self.trades(0..<10))
        checkpointer.stop()  // a second stop returns at once
        #expect(checkpointer.snapshot == before)
    }
}
