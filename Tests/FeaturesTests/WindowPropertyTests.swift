import Features
import Pipeline
import Testing
import TributaryCore

/// Seeded random streams: out of order within the watermark, with duplicates, give the rows of
/// the sorted, de-duplicated stream; and a 10,000-step model test against a brute-force reference.
@Suite struct WindowPropertyTests {
    typealias S = FeatureStreams
    let second = FeatureStreams.second

    /// Trades over `seconds` of event time for two symbols, with prices and sizes from the generator.
    func tape(_ generator: inout SplitMix64, count: Int, start: Int64) -> [FeatureEvent] {
        (0..<count).map { index in
            let symbol = index % 3 == 0 ? "ETH-USDT" : "BTC-USDT"
            let time = start + Int64(index) * 37_000_000 + Int64(generator.next() % 5_000_000)
            let price = "\(100 + generator.next() % 50).\(generator.next() % 100)"
            let size = "0.\(1 + generator.next() % 999)"
            return S.trade(Int64(index + 1), at: time, price: price, size: size, symbol: symbol)
        }
    }

    /// Moves each event back by up to `disorder` positions and repeats some, each within
    /// `disorder` positions after the original (a retry, not a replay from the far past or future).
    func shuffle(_ events: [FeatureEvent], disorder: Int, duplicates: Int, _ generator: inout SplitMix64) -> [FeatureEvent] {
        // Each event is delayed by a random number of positions, at most `disorder`: sorting on
        // position + delay keeps every event within `disorder` of where it was.
        var delayed = events.enumerated().map { (key: $0.offset + Int(generator.next() % UInt64(disorder + 1)), event: $0.element) }
        delayed.sort { $0.key < $1.key }
        var out = delayed.map(\.event)
        for _ in 0..<duplicates {
            let index = Int(generator.next() % UInt64(out.count))
            out.insert(out[index], at: min(out.count, index + 1 + Int(generator.next() % UInt64(disorder + 1))))
        }
        return out
    }

    @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8] as [UInt64])
    func disorderInsideTheWatermarkAndDuplicatesChangeNothing(seed: UInt64) {
        var generator = SplitMix64(seed: seed)
        let t0 = 1_700_000_000 * second
        let sorted = tape(&generator, count: 2_000, start: t0)
        // 20 positions × ~37 ms ≈ 0.75 s of disorder, inside the 5 s watermark.
        let shuffled = shuffle(sorted, disorder: 20, duplicates: 200, &generator)
        let set = S.bars(["1s", "5s", "10s/2s"], features: [.ohlcv, .ewma(halfLife: 3 * second), .returns(lookback: 5), .volatility(lookback: 5)])
        let end = S.trade(1_000_000, at: t0 + 1_000 * second, price: "1", symbol: "BTC-USDT")
        let endEth = S.trade(1_000_001, at: t0 + 1_000 * second, price: "1", symbol: "ETH-USDT")
        let expected = S.run(set, sorted + [end, endEth])
        let actual = S.run(set, shuffled + [end, endEth])
        #expect(actual.engine.counters.duplicates == 200 && actual.engine.counters.lateDropped == 0)
        #expect(expected.rows.count > 100)
        let key = { (row: FeatureRow) in "\(row.symbol) \(row.window) \(row.start.nanosecondsSinceEpoch)" }
        let actualHashes = Dictionary(uniqueKeysWithValues: actual.rows.map { (key($0), $0.contentHash) })
        let expectedHashes = Dictionary(uniqueKeysWithValues: expected.rows.map { (key($0), $0.contentHash) })
        let differing = expectedHashes.keys.filter { actualHashes[$0] != expectedHashes[$0] }.sorted()
        #expect(actualHashes.count == expectedHashes.count)
        #expect(differing.isEmpty, "\(differing.count) rows differ, first: \(differing.prefix(3))")
    }

    @Test(arguments: [11, 12, 13] as [UInt64])
    func eventsLaterThanTheWatermarkFollowThePolicy(seed: UInt64) {
        var generator = SplitMix64(seed: seed)
        let t0 = 1_700_000_000 * second
        let sorted = tape(&generator, count: 1_000, start: t0)
        // 400 positions × ~37 ms ≈ 15 s: well past the 2 s watermark.
        let shuffled = shuffle(sorted, disorder: 400, duplicates: 0, &generator)
        let tail = [S.trade(1_000_000, at: t0 + 500 * second, price: "1"), S.trade(1_000_001, at: t0 + 500 * second, price: "1", symbol: "ETH-USDT")]
        let dropped = S.run(S.bars(watermark: 2 * second, late: .drop), shuffled + tail)
        #expect(dropped.engine.counters.lateDropped > 0)
        let droppedTrades = dropped.rows.reduce(0) { $0 + Int($1.value("trades")!.description)! }
        // Every trade is in exactly one bar or was counted as dropped.
        #expect(droppedTrades + dropped.engine.counters.lateDropped == sorted.count + tail.count - 2)
        #expect(Set(dropped.rows.map { "\($0.symbol)\($0.start)" }).count == dropped.rows.count)

        // correct, with lateness covering the disorder: the last revision of each bar equals the sorted stream's bar.
        let corrected = S.run(S.bars(watermark: 2 * second, late: .correct, lateness: 60 * second), shuffled + tail)
        #expect(corrected.engine.counters.lateDropped == 0 && corrected.engine.counters.lateCorrected == dropped.engine.counters.lateDropped)
        var last: [String: FeatureRow] = [:]
        for row in corrected.rows { last["\(row.symbol) \(row.start)"] = row }
        let reference = S.run(S.bars(watermark: 2 * second), sorted + tail)
        #expect(reference.rows.count == last.count)
        for row in reference.rows { #expect(last["\(row.symbol) \(row.start)"]?.values == row.values) }

        // hold, with lateness covering the disorder: one emission per bar, complete.
        let held = S.run(S.bars(watermark: 2 * second, late: .hold, lateness: 60 * second), shuffled + tail)
        #expect(held.engine.counters.lateDropped == 0)
        #expect(
            held.rows.map(\.contentHash).sorted() == reference.rows.filter { $0.end.nanosecondsSinceEpoch <= t0 + 438 * second }.map(\.contentHash).sorted())
    }

    /// 10,000 random steps (new, duplicate, replaced, late, far-future events) against a reference
    /// that keeps every accepted event in a list and recomputes each closed bar from scratch.
    @Test func tenThousandStepsAgreeWithABruteForceReference() {
        var generator = SplitMix64(seed: 42)
        let t0 = 1_700_000_000 * second
        let set = S.bars(["1s"], watermark: 3 * second)
        var engine = FeatureEngine(set: set)
        var rows: [FeatureRow] = []

        // The reference: accepted events by identity, the newest time, and which bars it emitted.
        var accepted: [String: FeatureEvent] = [:]
        var newest: Int64?
        var emittedBefore: Int64?  // every bar starting before this has been emitted
        var referenceRows: [String: [FeatureEvent]] = [:]
        var sent: [FeatureEvent] = []
        var clock = t0

        for step in 0..<10_000 {
            let roll = generator.next() % 100
            let event: FeatureEvent
            if roll < 8, let old = sent.randomElement(using: &generator) {
                event = old  // a duplicate
            } else if roll < 12, let old = sent.randomElement(using: &generator) {
                event = S.trade(Int64(old.key)!, at: old.time, price: "7", size: "0.5", hash: "sha256:r\(step)")  // a replacement
            } else {
                clock += Int64(generator.next() % 400_000_000)
                // Mostly near the clock, sometimes seconds behind it.
                let behind = roll < 20 ? Int64(generator.next() % (8 * UInt64(second))) : Int64(generator.next() % 300_000_000)
                event = S.trade(Int64(step + 1), at: clock - behind, price: "\(100 + generator.next() % 10)", size: "1")
            }
            sent.append(event)
            rows += engine.ingest(event).rows

            // Reference step.
            let barStart = event.time.floorDivided(by: second) * second
            if let emittedBefore, barStart < emittedBefore { continue }  // late: dropped
            if let existing = accepted[event.key], existing.contentHash == event.contentHash { continue }
            accepted[event.key] = event
            newest = max(newest ?? event.time, event.time)
            let threshold = newest! - set.watermark
            let limit = (threshold - second).floorDivided(by: second) * second + second
            if limit > (emittedBefore ?? .min) {
                let closing = accepted.values.filter { e in
                    let start = e.time.floorDivided(by: second) * second
                    return start < limit && start >= (emittedBefore ?? .min)
                }
                for e in closing { referenceRows["\(e.time.floorDivided(by: second) * second)", default: []].append(e) }
                emittedBefore = limit
            }
        }
        #expect(rows.count == referenceRows.count)
        for row in rows {
            let events = referenceRows["\(row.start.nanosecondsSinceEpoch)"] ?? []
            let ordered = events.sorted { ($0.time, $0.sequence ?? 0) < ($1.time, $1.sequence ?? 0) }
            var volume = ExactDecimal(0)
            for e in events { if case .trade(_, let size) = e.values { volume = volume.adding(size)! } }
            guard case .trade(let open, _)? = ordered.first?.values, case .trade(let close, _)? = ordered.last?.values else {
                Issue.record("a bar without events: \(row.start)")
                continue
            }
            #expect(row.value("open") == open && row.value("close") == close && row.value("volume") == volume)
            #expect(row.value("trades") == ExactDecimal(events.count))
        }
    }
}
