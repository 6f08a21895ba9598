import Service
import Testing
import TributaryCore

@Suite struct ConsolidatedViewTests {
    let now = UTCTimestamp(secondsSinceEpoch: 1_700_000_000)!

    func entry(_ source: String, _ price: String?, ageSeconds: Int64 = 1) -> ConsolidatedView.Entry {
        ConsolidatedView.Entry(source: source, price: price.map { try! ExactDecimal(parsing: $0) },
                               asOf: UTCTimestamp(secondsSinceEpoch: 1_700_000_000 - ageSeconds)!, staleAfter: .seconds(60), line: "")
    }

    @Test func medianSpreadStaleAndOutliers() throws {
        let view = ConsolidatedView(entries: [
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
        func price(_ json: String) throws -> ExactDecimal? { ConsolidatedView.price(of: try JSONParser.parse(Array(json.utf8))) }
        #expect(try price(#"{"kind":"quote","last":"5"}"#) == ExactDecimal(5))
        #expect(try price(#"{"kind":"quote","bid":"1","ask":"2"}"#) == (try ExactDecimal(parsing: "1.5")))
        #expect(try price(#"{"kind":"bar","close":"7.25"}"#) == (try ExactDecimal(parsing: "7.25")))
        #expect(try price(#"{"kind":"news","id":"x"}"#) == nil)
    }
}
