import Service
import Testing
import TributaryCore

@Suite struct ConsolidatedViewTests {
    let now = UTCTimestamp(secondsSinceEpoch: 1_700_000_000)!

    func entry(_ source: String, _ price: String?, ageSeconds: Int64 = 1) -> ConsolidatedView.Entry {
        ConsolidatedView.Entry(
            source: source, price: price.map { try! ExactDecimal(parsing: $0) },
            asOf: UTCTimestamp(secondsSinceEpoch: 1_700_000_000 - ageSeconds)!, staleAfter: .seconds(60))
    }

    @Test func medianSpreadStaleAndOutliers() throws {
        let view = ConsolidatedView(
            entries: [
                entry("binance", "100.10"), entry("kraken", "100.30"), entry("coinbase", "100.20"),
                entry("bitfinex", "108"), entry("old", "50", ageSeconds: 600),
            ], now: now, outlierPercent: 2)
        // Voting: 100.10, 100.20, 100.30, 108 (the stale one does not vote) → median (100.20 + 100.30) / 2.
        #expect(view.median == (try ExactDecimal(parsing: "100.25")))
        #expect(view.spread == (try ExactDecimal(parsing: "7.9")))
        let byName = Dictionary(uniqueKeysWithValues: view.verdicts.map { ($0.source, $0) })
        #expect(byName["old"]?.stale == true)
        #expect(byName["bitfinex"]?.outlier == true && byName["bitfinex"]?.stale == false)
        #expect(byName["binance"]?.outlier == false)
        #expect(abs((byName["bitfinex"]?.deviationPercent ?? 0) - 7.7306) < 0.001)
    }

    @Test func noVotersNoMedian() {
        let view = ConsolidatedView(entries: [entry("a", "1", ageSeconds: 999), entry("b", nil)], now: now, outlierPercent: 1)
        #expect(view.median == nil && view.spread == nil)
        #expect(view.verdicts.map(\.stale) == [true, false])
    }

    @Test func pricesByKind() throws {
        func price(_ payload: Record.Payload) -> ExactDecimal? {
            ConsolidatedView.price(of: Record(source: "s", endpoint: "e", symbol: "X", venueSymbol: "X", payload: payload))
        }
        func d(_ text: String) throws -> ExactDecimal { try ExactDecimal(parsing: text) }
        #expect(price(.quote(Quote(asOf: now, last: try d("5")))) == ExactDecimal(5))
        #expect(price(.quote(Quote(asOf: now, bid: try d("1"), ask: try d("2")))) == (try d("1.5")))
        #expect(
            price(.bar(Bar(interval: "1m", start: now, open: try d("7"), high: try d("8"), low: try d("6"), close: try d("7.25"), volume: nil)))
                == (try d("7.25")))
        #expect(price(.news(News(id: "x", headline: "h", url: "u", publishedAt: now))) == nil)
    }
}
