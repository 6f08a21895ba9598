import Engine
import Foundation
import Pipeline
import StoreSQLite
import Testing
import TributaryCore

@Suite struct SQLiteStoreTests {
    func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("tributary-store-\(UUID().uuidString)/tributary.sqlite").path
    }

    func quote(_ last: String, asOf seconds: Int64 = 1_700_000_000, symbol: String = "BTC-USDT") -> Envelope {
        let record = Record(
            source: "binance", endpoint: "ticker", symbol: symbol, venueSymbol: symbol.replacingOccurrences(of: "-", with: ""),
            payload: .quote(Quote(asOf: UTCTimestamp(secondsSinceEpoch: seconds)!, last: try! ExactDecimal(parsing: last))))
        return Envelope.rest(record, sourceURI: "http://x", observedAt: .now(), requestID: UUID().uuidString, transformations: [])
    }

    /// The hash column holds 32 bytes: a provenance whose hash text is not a SHA-256 fails its
    /// whole batch with the column named (nothing of it stored); uppercase hex is the same bytes.
    @Test func aHashThatIsNotASHA256FailsItsBatchAndUppercaseHexIsStored() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let store = try SQLiteStore(path: path)
        var odd = quote("7", asOf: 1_700_000_120)
        odd.provenance.contentHash = "md5:0123456789abcdef0123456789abcdef"
        #expect {
            try store.upsert([quote("1"), odd])
        } throws: { error in
            "\(error)".contains("content_hash") && "\(error)".contains("md5:0123")
        }
        #expect(try store.recordCount() == 0)
        var upper = quote("8")
        upper.provenance.contentHash = upper.provenance.contentHash.uppercased().replacingOccurrences(of: "SHA256:", with: "sha256:")
        #expect(try store.upsert([upper]).inserted == 1)
        let stored = try #require(try store.storedRecord(source: "binance", kind: .quote, symbol: "BTC-USDT", naturalKey: upper.record.naturalKey))
        #expect(stored.envelope.provenance.contentHash == upper.provenance.contentHash.lowercased())
    }

    @Test func replaysAreSkippedChangesReplaceAndNothingDuplicates() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let store = try SQLiteStore(path: path)
        #expect(try store.journalMode == "wal")
        let batch = [quote("1.5"), quote("2.5", asOf: 1_700_000_060), quote("10", symbol: "ETH-USDT")]
        var result = try store.upsert(batch)
        #expect(result.inserted == 3 && result.updated == 0 && result.unchanged == 0)
        // The same data fetched again (new request id, new ingestion time): nothing new.
        result = try store.upsert([quote("1.5"), quote("2.5", asOf: 1_700_000_060)])
        #expect(result.unchanged == 2 && result.inserted == 0)
        // Same value written differently (1.50): same content hash, still unchanged.
        result = try store.upsert([quote("1.50")])
        #expect(result.unchanged == 1)
        // A corrected value for the same instant replaces the stored one.
        result = try store.upsert([quote("1.6")])
        #expect(result.updated == 1)
        let stored = try #require(try store.storedLine(source: "binance", kind: .quote, symbol: "BTC-USDT", naturalKey: "2023-11-14T22:13:20.000Z"))
        #expect(stored.revision == 2 && stored.line.contains(#""last":"1.6""#))
        #expect(try store.recordCount() == 3)
    }

    @Test func survivesAReopenAndKeepsDeadLetters() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        do {
            let store = try SQLiteStore(path: path, deadLetterMaxBytes: 1_024)
            try store.upsert([quote("1.5")])
            let id = try store.deadLetter(
                DeadLetter(
                    source: "kraken", endpoint: "", reason: "invalid JSON at byte 12",
                    payload: .response(
                        call: EndpointCallText(endpoint: "", symbols: [], parameters: [:]), status: 0, body: Array(repeating: 0x41, count: 100_000))))
            #expect(id == 1)
        }
        let reopened = try SQLiteStore(path: path)
        #expect(try reopened.recordCount() == 1)
        #expect(try reopened.deadLetterCount(pending: false) == 1)
        #expect(try reopened.upsert([quote("1.5")]).unchanged == 1)
    }

    @Test func naturalKeysPerKind() {
        let t = UTCTimestamp(secondsSinceEpoch: 0)!
        func key(_ payload: Record.Payload) -> String { Record(source: "s", endpoint: "e", symbol: "X", venueSymbol: "X", payload: payload).naturalKey }
        let one = ExactDecimal(1)
        #expect(key(.bar(Bar(interval: "1h", start: t, open: one, high: one, low: one, close: one, volume: nil))) == "1h@1970-01-01T00:00:00.000Z")
        #expect(key(.trade(Trade(tradeID: "42", time: t, price: one, size: one))) == "42")
        #expect(key(.observation(Observation(series: "GDP", date: "2024-01-01", value: nil))) == "GDP@2024-01-01")
        #expect(key(.balance(Balance(asset: "BTC", free: one, locked: one))) == "BTC")
    }
}

@Suite struct SQLiteStoreBatchTests {
    func trade(_ id: Int, price: String = "1.5") -> Envelope {
        let record = Record(
            source: "acme", endpoint: "push", symbol: "BTC-USD", venueSymbol: "BTC-USD",
            payload: .trade(
                Trade(
                    tradeID: String(id), time: UTCTimestamp(secondsSinceEpoch: 1_700_000_000)!, price: try! ExactDecimal(parsing: price), size: ExactDecimal(1))
            ))
        return Envelope.rest(record, sourceURI: "push", observedAt: .now(), requestID: "r", transformations: [])
    }

    @Test func largeBatchesWithRepeatsInsideCountEveryRecordOnce() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tributary-batch-\(UUID().uuidString)/t.sqlite").path
        let store = try SQLiteStore(path: path)
        // 137 records over several statements; trade 5 appears three times (same, changed, same again).
        var batch = (0..<130).map { trade($0) }
        batch += [trade(5), trade(5, price: "1.6"), trade(5, price: "1.6"), trade(200), trade(201), trade(200), trade(7, price: "9")]
        let result = try store.upsert(batch)
        #expect(result.inserted == 132)
        #expect(result.updated == 2)  // 5 → 1.6, 7 → 9
        #expect(result.unchanged == 3)  // 5 again, 5 at 1.6 again, 200 again
        #expect(result.inserted + result.updated + result.unchanged == batch.count)
        #expect(try store.recordCount() == 132)
        let again = try store.upsert(batch.suffix(7))
        #expect(again.inserted == 0 && again.unchanged + again.updated == 7)
    }
}
