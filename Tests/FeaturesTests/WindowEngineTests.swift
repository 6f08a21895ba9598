import Features
import Pipeline
import Testing
import TributaryCore

@Suite struct WindowEngineTests {
    typealias S = FeatureStreams
    let second = FeatureStreams.second

    @Test func tradesBecomeExactBarsOnceTheWatermarkPassesTheirEnd() {
        let t0 = 1_700_000_000 * second
        let events = [
            S.trade(1, at: t0 + 100_000_000, price: "100.10", size: "0.5"),
            S.trade(2, at: t0 + 400_000_000, price: "100.30", size: "1.5"),
            S.trade(3, at: t0 + 900_000_000, price: "99.90", size: "1"),
            // Next second; the watermark (newest − 5 s) has not passed the first bar's end yet.
            S.trade(4, at: t0 + 1_200_000_000, price: "100", size: "2"),
        ]
        let (_, early, _) = S.run(S.bars(), events)
        #expect(early.isEmpty)
        // A trade 6 s later moves the watermark past both bars' ends.
        let (_, rows, _) = S.run(S.bars(), events + [S.trade(5, at: t0 + 7 * second, price: "101")])
        #expect(rows.count == 2)
        let bar = rows[0]
        #expect(bar.start.nanosecondsSinceEpoch == t0 && bar.end.nanosecondsSinceEpoch == t0 + second && bar.window == "1s")
        #expect(bar.value("open") == S.d("100.10") && bar.value("high") == S.d("100.30") && bar.value("low") == S.d("99.90"))
        #expect(bar.value("close") == S.d("99.90") && bar.value("volume") == S.d("3") && bar.value("trades") == S.d("3"))
        // (100.10·0.5 + 100.30·1.5 + 99.90·1) / 3 = 300.4 / 3 = 100.1333…, half-even at 10 places.
        #expect(bar.value("vwap") == S.d("100.1333333333"))
        #expect(bar.events == 3 && bar.corrections == 0)
        #expect(rows[1].value("open") == S.d("100") && rows[1].value("trades") == S.d("1"))
        #expect(bar.valuesJSON == #"{"close":"99.9","high":"100.3","low":"99.9","open":"100.1","trades":"3","volume":"3","vwap":"100.1333333333"}"#)
        #expect(bar.contentHash.hasPrefix("sha256:") && bar.contentHash.count == 71)
    }

    @Test func aDuplicateNeverCountsTwiceAndAReplacementWins() {
        let t0 = 1_700_000_000 * second
        let first = S.trade(1, at: t0, price: "10", size: "1")
        let corrected = S.trade(1, at: t0, price: "10", size: "3")  // same id, other content: a revision
        let (engine, rows, _) = S.run(S.bars(), [first, first, corrected, corrected, S.trade(2, at: t0 + 10 * second, price: "11")])
        #expect(rows.count == 1)
        #expect(rows[0].value("volume") == S.d("3") && rows[0].value("trades") == S.d("1"))
        #expect(engine.counters.duplicates == 2 && engine.counters.replaced == 1)
    }

    @Test func lateEventsFollowThePolicy() {
        let t0 = 1_700_000_000 * second
        let opening = [S.trade(1, at: t0 + 500_000_000, price: "10"), S.trade(3, at: t0 + 10 * second, price: "12")]
        let late = S.trade(2, at: t0 + 700_000_000, price: "50", size: "2")

        // drop: the bar was emitted without it, and stays so.
        let dropped = S.run(S.bars(late: .drop), opening + [late])
        #expect(dropped.rows.count == 1 && dropped.rows[0].value("high") == S.d("10"))
        #expect(dropped.engine.counters.lateDropped == 1)

        // correct: the bar is emitted again, with the late trade and the correction counted.
        let corrected = S.run(S.bars(late: .correct), opening + [late])
        #expect(corrected.rows.count == 2)
        #expect(corrected.rows[1].start == corrected.rows[0].start && corrected.rows[1].value("high") == S.d("50"))
        #expect(corrected.rows[1].corrections == 1 && corrected.rows[1].contentHash != corrected.rows[0].contentHash)
        #expect(corrected.engine.counters.lateCorrected == 1)

        // correct, but later than `lateness`: dropped and counted.
        let tooLate = S.run(S.bars(late: .correct, lateness: 2 * second), opening + [S.trade(9, at: t0 + 30 * second, price: "1"), late])
        #expect(tooLate.engine.counters.lateDropped == 1 && tooLate.rows.allSatisfy { $0.value("high") != S.d("50") })

        // hold: nothing is emitted until lateness past the watermark, then once, complete.
        let held = S.run(S.bars(late: .hold, lateness: 20 * second), opening + [late])
        #expect(held.rows.isEmpty)
        let released = S.run(S.bars(late: .hold, lateness: 20 * second), opening + [late, S.trade(4, at: t0 + 26 * second, price: "13")])
        #expect(released.rows.count == 1 && released.rows[0].value("high") == S.d("50") && released.rows[0].corrections == 0)
        #expect(released.engine.counters.lateDropped == 0)
    }

    @Test func slidingWindowsCoverTheirPanes() {
        let minute: Int64 = 60 * second
        let aligned: Int64 = (1_700_000_000 / 60) * minute  // on a whole minute
        let events: [FeatureEvent] = (0..<5).map { (index: Int) -> FeatureEvent in
            let time: Int64 = aligned + Int64(index) * minute + second
            return S.trade(Int64(index + 1), at: time, price: String(100 + index))
        }
        let (_, rows, _) = S.run(S.bars(["3m/1m"]), events + [S.trade(99, at: aligned + 20 * 60 * second, price: "1")])
        // Windows starting 2 min before the first trade through the last trade's minute.
        let byStart = Dictionary(grouping: rows, by: { ($0.start.nanosecondsSinceEpoch - aligned) / (60 * second) })
        #expect(rows.allSatisfy { $0.window == "3m/1m" })
        #expect(byStart[0]?.first?.value("open") == S.d("100") && byStart[0]?.first?.value("close") == S.d("102"))
        #expect(byStart[0]?.first?.value("trades") == S.d("3"))
        #expect(byStart[2]?.first?.value("high") == S.d("104") && byStart[2]?.first?.value("low") == S.d("102"))
        #expect(byStart[-2]?.first?.value("trades") == S.d("1"))
        #expect(byStart[4]?.first?.value("trades") == S.d("1"))
        #expect(byStart[5] == nil)
    }

    @Test func quotesGiveExactMidAndSpreadBars() {
        let t0 = 1_700_000_000 * second
        var set = FeatureSet(name: "fx", version: 2, input: .init(kind: .quote), windows: [WindowSpec("1s")!], features: [.mid, .spread])
        set.watermark = 0
        let (_, rows, _) = S.run(
            set,
            [
                S.quote(at: t0, bid: "1.0850", ask: "1.0852"), S.quote(at: t0 + 300_000_000, bid: "1.0851", ask: "1.0855"),
                S.quote(at: t0 + 2 * second, bid: "1", ask: "1.1"),
            ])
        #expect(rows.count == 1)
        #expect(rows[0].value("mid_open") == S.d("1.0851") && rows[0].value("mid_close") == S.d("1.0853") && rows[0].value("mid_high") == S.d("1.0853"))
        #expect(rows[0].value("spread_close") == S.d("0.0004") && rows[0].value("spread_min") == S.d("0.0002") && rows[0].value("quotes") == S.d("2"))
        #expect(rows[0].version == 2 && rows[0].set == "fx")
    }

    @Test func statisticsFollowTheSeriesDeterministically() {
        let t0 = 1_700_000_000 * second
        let closes = ["100", "101", "99", "102", "102"]
        let events = closes.enumerated().map { S.trade(Int64($0.offset + 1), at: t0 + Int64($0.offset) * second, price: $0.element) }
        let set = S.bars(features: [.ohlcv, .ewma(halfLife: second), .returns(lookback: 3), .volatility(lookback: 3)], watermark: 0)
        let (_, rows, _) = S.run(set, events + [S.trade(9, at: t0 + 10 * second, price: "1")])
        #expect(rows.count == 5)
        #expect(rows[0].value("ewma") == S.d("100") && rows[0].value("return") == nil && rows[0].value("zscore") == nil)
        // One half-life later the EWMA is halfway to the new close.
        #expect(rows[1].value("ewma") == S.d("100.5"))
        // log(101/100) to 12 significant digits.
        #expect(rows[1].value("return") == S.d("0.00995033085317"))
        #expect(rows[1].value("volatility") == S.d("0.00995033085317"))
        #expect(rows[4].value("return") == S.d("0"))
        // The same stream gives byte-identical rows on every run.
        let (_, again, _) = S.run(set, events + [S.trade(9, at: t0 + 10 * second, price: "1")])
        #expect(again.map(\.contentHash) == rows.map(\.contentHash))
    }

    @Test func holesInTradeIDsBecomeGapRows() {
        let t0 = 1_700_000_000 * second
        let events = [S.trade(10, at: t0, price: "1"), S.trade(11, at: t0 + 100, price: "1"), S.trade(15, at: t0 + 2 * second, price: "1")]
        let (engine, _, gaps) = S.run(S.bars(watermark: 0), events + [S.trade(16, at: t0 + 9 * second, price: "1")])
        #expect(gaps.count == 1)
        #expect(gaps.first?.reason.contains("ids 12…14 missing (3)") == true)
        #expect(gaps.first?.from.nanosecondsSinceEpoch == t0 + 100 && gaps.first?.to.nanosecondsSinceEpoch == t0 + 2 * second)
        #expect(engine.counters.holes == 1)
    }

    @Test func windowsCenturiesApartFollowTheStatisticsWithoutOverflow() {
        // 1700 and 2250: the two window starts are more than Int64.max nanoseconds apart.
        let early: Int64 = -8_520_336_000 * second, late: Int64 = 8_835_955_200 * second
        let set = S.bars(features: [.ohlcv, .ewma(halfLife: second), .returns(lookback: 3)], watermark: 0)
        let (_, rows, _) = S.run(set, [S.trade(1, at: early, price: "10"), S.trade(2, at: late, price: "20"), S.trade(3, at: late + 5 * second, price: "1")])
        #expect(rows.count == 2)
        #expect(rows[1].value("ewma") == S.d("20") && rows[1].value("return") != nil)
    }

    @Test func eventsAtTheEndsOfTheTimeRangeAreCountedNotTrapped() {
        let (engine, rows, _) = S.run(
            S.bars(),
            [S.trade(1, at: .min, price: "1"), S.trade(2, at: .max, price: "1"), S.trade(3, at: .max - 1, price: "1"), S.trade(4, at: .min + 1, price: "1")])
        #expect(rows.isEmpty || rows.allSatisfy { $0.end > $0.start })
        #expect(engine.counters.outOfRange == 4)
        // They move no watermark either.
        #expect(engine.watermark(of: "venue") == nil)
    }
}

@Suite struct FeatureRowBytesTests {
    @Test func theDirectCanonicalBytesEqualTheGeneralWriters() {
        let row = FeatureRow(
            set: "bars \"q\"", version: 3, source: "vénue", symbol: "BTC-USDT\\x", window: "5m/1m",
            start: UTCTimestamp(nanosecondsSinceEpoch: -1_000), end: UTCTimestamp(nanosecondsSinceEpoch: 59_999_999_000),
            values: [.init("vwap", nil), .init("close", try! ExactDecimal(parsing: "1.50")), .init("a\u{1}", try! ExactDecimal(parsing: "-0.000"))],
            events: 1, corrections: 0)
        #expect(row.canonicalBytes == row.canonicalBytesThroughJSONValue)
        #expect(String(decoding: row.canonicalBytes, as: UTF8.self).contains(#""close":"1.5""#))
    }
}
