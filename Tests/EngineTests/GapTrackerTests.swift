import Engine
import Foundation
import Pipeline
import Resilience
import StoreSQLite
import Testing
import TributaryCore

@Suite struct GapTrackerTests {
    let minute: Int64 = 60

    func bars(_ minutes: [Int64], symbol: String = "BTC-USDT") -> [Record] {
        minutes.map { m in
            let one = ExactDecimal(1)
            return Record(
                source: "binance", endpoint: "klines", symbol: symbol, venueSymbol: symbol,
                payload: .bar(
                    Bar(
                        interval: "1m", start: UTCTimestamp(secondsSinceEpoch: 1_700_000_000 / 60 * 60 + m * minute)!,
                        open: one, high: one, low: one, close: one, volume: nil)))
        }
    }

    func t(_ m: Int64) -> UTCTimestamp { UTCTimestamp(secondsSinceEpoch: 1_700_000_000 / 60 * 60 + m * minute)! }

    /// A job taken over from a dead instance: the new holder's first bars are compared with the
    /// last holder's newest, carried by the lease.
    @Test func barsMissedWhileAJobChangedHandsAreAFailoverGap() {
        var old = GapTracker()
        _ = old.received(bars([0, 1, 2, 3, 4]), source: "binance")
        #expect(old.newestBars.map(\.start) == [t(4)])
        var taker = GapTracker()
        taker.handedOver(old.newestBars)
        let gaps = taker.received(bars([9, 10, 11]), source: "binance")
        #expect(gaps == [Gap(source: "binance", symbol: "BTC-USDT", interval: "1m", from: t(5), to: t(8), reason: "failover")])
        // Only the first poll after the hand-over carries that reason.
        #expect(taker.received(bars([11, 12, 13]), source: "binance").isEmpty)

        // A window that reaches back over the hand-over fills it: no gap.
        var filler = GapTracker()
        filler.handedOver(old.newestBars)
        #expect(filler.received(bars([3, 4, 5, 6, 7]), source: "binance").isEmpty)
    }

    @Test func contiguousWindowsLeaveNoGaps() {
        var tracker = GapTracker()
        #expect(tracker.received(bars([0, 1, 2, 3, 4]), source: "binance").isEmpty)
        // The next poll's window overlaps the last one.
        #expect(tracker.received(bars([2, 3, 4, 5, 6]), source: "binance").isEmpty)
    }

    @Test func anOutageLongerThanTheWindowIsAGapWithItsReason() {
        var tracker = GapTracker()
        _ = tracker.received(bars([0, 1, 2, 3, 4]), source: "binance")
        tracker.failed(ResilienceError(.circuitOpen, source: "binance", retryAt: nil, "open"))
        tracker.failed(ResilienceError(.paused, source: "binance", retryAt: nil, "429"))
        let gaps = tracker.received(bars([10, 11, 12, 13, 14]), source: "binance")
        #expect(gaps == [Gap(source: "binance", symbol: "BTC-USDT", interval: "1m", from: t(5), to: t(9), reason: "breaker open")])
        #expect(gaps.first?.missingBars(step: .seconds(60)) == 5)
    }

    @Test func anOutageTheWindowCoversIsBackfilledNotAGap() {
        var tracker = GapTracker()
        _ = tracker.received(bars([0, 1, 2, 3, 4]), source: "binance")
        tracker.failed(ResilienceError(.paused, source: "binance", retryAt: nil, "429"))
        #expect(tracker.received(bars([3, 4, 5, 6, 7]), source: "binance").isEmpty)
    }

    @Test func holesInsideAResponseAreUpstreamEmptyForRoundTheClockMarketsOnly() {
        var tracker = GapTracker()
        let gaps = tracker.received(bars([0, 1, 4, 5]), source: "binance")
        #expect(gaps.map(\.reason) == ["upstream empty"])
        #expect(gaps.first?.from == t(2) && gaps.first?.to == t(3))
        // An equity's night is not a hole.
        #expect(tracker.received(bars([0, 1, 4, 5], symbol: "AAPL"), source: "binance").isEmpty)
        // Bars already seen are not judged again.
        #expect(tracker.received(bars([0, 1, 4, 5, 6]), source: "binance").isEmpty)
    }

    @Test func failuresAreNamedByKind() {
        var tracker = GapTracker()
        _ = tracker.received(bars([0]), source: "binance")
        tracker.failed(TransportError.timeout("slow"))
        #expect(tracker.received(bars([5]), source: "binance").first?.reason == "upstream error")
    }

    @Test func gapsAreStoredOnce() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tributary-gaps-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try SQLiteStore(path: directory + "/t.sqlite")
        let gap = Gap(source: "binance", symbol: "BTC-USDT", interval: "1m", from: t(5), to: t(9), reason: "throttled")
        #expect(try store.recordGaps([gap]) == 1)
        #expect(try store.recordGaps([gap]) == 0)
        #expect(try store.gaps(source: "binance") == [gap])
        #expect(try store.gaps(source: "kraken").isEmpty)
    }
}
