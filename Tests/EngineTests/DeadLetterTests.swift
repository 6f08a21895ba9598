import Connectors
import Engine
import Foundation
import Pipeline
import StoreSQLite
import Testing
import TributaryCore

@Suite struct DeadLetterTests {
    func store(deadLetterMaxBytes: Int = 64 * 1024) throws -> (SQLiteStore, String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tributary-dlq-\(UUID().uuidString)").path
        return (try SQLiteStore(path: directory + "/t.sqlite", deadLetterMaxBytes: deadLetterMaxBytes), directory)
    }

    func quote(_ last: String) -> Envelope {
        let record = Record(
            source: "binance", endpoint: "ticker", symbol: "BTC-USDT", venueSymbol: "BTCUSDT",
            payload: .quote(Quote(asOf: UTCTimestamp(secondsSinceEpoch: 1_700_000_000)!, last: try! ExactDecimal(parsing: last))))
        return Envelope.rest(record, sourceURI: "http://x", observedAt: .now(), requestID: "r1", transformations: [])
    }

    @Test func bothKindsRoundTripWithWhatTheyHold() async throws {
        let (store, directory) = try store(deadLetterMaxBytes: 10)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let recordID = try store.deadLetter(
            DeadLetter(source: "binance", endpoint: "ticker", reason: "constraint", payload: .record(StoredRecord(quote("1.5")))))
        let call = EndpointCallText(endpoint: "klines", symbols: ["BTCUSDT"], parameters: ["interval": "1m"])
        let responseID = try store.deadLetter(
            DeadLetter(
                source: "binance", endpoint: "klines", reason: "invalid JSON at byte 3",
                payload: .response(call: call, status: 200, body: Array(repeating: 0x7B, count: 100))))
        let listed = try await store.deadLetters()
        #expect(listed.map(\.id) == [responseID, recordID])
        let record = try #require(try store.deadLetter(id: recordID))
        guard case .record(let row) = record.payload else { Issue.record("expected a record"); return }
        #expect(row.kind == "quote" && row.symbol == "BTC-USDT" && row.naturalKey == "2023-11-14T22:13:20.000Z")
        #expect(row.asOf == "2023-11-14T22:13:20.000Z")
        let response = try #require(try store.deadLetter(id: responseID))
        guard case .response(let keptCall, let status, let body) = response.payload else { Issue.record("expected a response"); return }
        #expect(keptCall == call && status == 200 && body.count == 10)
        #expect(response.kindName == "response" && response.endpoint == "klines")
        #expect(try await store.deadLetters(source: "kraken").isEmpty)
    }

    @Test func replayingARecordStoresItOnceAndMarksIt() async throws {
        let (store, directory) = try store()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let id = try store.deadLetter(DeadLetter(source: "binance", endpoint: "ticker", reason: "x", payload: .record(StoredRecord(quote("1.5")))))
        let replay = DeadLetterReplay(store: store) { _ in nil }
        let letter = try #require(try store.deadLetter(id: id))
        guard case .stored(let result) = await replay.replay(letter) else { Issue.record("not stored"); return }
        #expect(result.inserted == 1)
        #expect(try store.recordCount() == 1)
        let marked = try #require(try store.deadLetter(id: id))
        #expect(marked.replayedAt != nil)
        #expect(await replay.replay(marked) == .alreadyReplayed)
        // Forced again: the same content hash, so nothing new.
        guard case .stored(let again) = await replay.replay(marked, force: true) else { Issue.record("not stored"); return }
        #expect(again.unchanged == 1 && again.inserted == 0)
        #expect(try store.deadLetters(pending: true).isEmpty)
    }

    @Test func replayingAResponseDecodesItAgain() async throws {
        let (store, directory) = try store()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let body = Array(#"{"symbol":"BTCUSDT","price":"95000.12000000"}"#.utf8)
        let good = try store.deadLetter(
            DeadLetter(
                source: "binance", endpoint: "price", reason: "decoder bug",
                payload: .response(call: EndpointCallText(endpoint: "price", symbols: ["BTCUSDT"], parameters: [:]), status: 200, body: body)))
        let bad = try store.deadLetter(
            DeadLetter(
                source: "binance", endpoint: "price", reason: "truncated",
                payload: .response(call: EndpointCallText(endpoint: "price", symbols: ["BTCUSDT"], parameters: [:]), status: 200, body: Array(body.prefix(20))))
        )
        let replay = DeadLetterReplay(store: store) { $0 == "binance" ? BinanceConnector() : nil }
        guard case .stored(let result) = await replay.replay(try #require(try store.deadLetter(id: good))) else { Issue.record("not stored"); return }
        #expect(result.inserted == 1)
        let line = try #require(try store.latest(symbol: "BTC-USDT", kind: .quote).first?.envelope.jsonLine)
        #expect(line.contains(#""last":"95000.12000000""#))
        #expect(line.contains(#""parent_id":"dead-letter:\#(good)""#))
        guard case .stillFailing(let reason) = await replay.replay(try #require(try store.deadLetter(id: bad))) else { Issue.record("should fail"); return }
        #expect(reason.contains("binance"))
        #expect(try store.deadLetter(id: bad)?.replayedAt == nil)
    }
}
