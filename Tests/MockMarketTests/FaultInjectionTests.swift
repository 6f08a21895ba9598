import MockMarket
import Testing
import TributaryCore

@Suite struct FaultInjectionTests {
    @Test(arguments: [
        "binance:429:retry-after=2:rate=0.3", "kraken:418:retry-after=120", "coinbase:5xx:status=502:count=10", "finnhub:latency:ms=300",
        "yahoo:hang:seconds=30", "fred:reset", "polygon:truncate", "fmp:malformed", "tiingo:html", "alphavantage:error-body", "*:429:retry-after-date=3",
    ])
    func specsRoundTrip(spec: String) throws {
        #expect(try MockFault(spec: spec).description == spec)
    }

    @Test(arguments: [
        ("binance", "SOURCE:KIND"), ("binance:teapot", "unknown kind 'teapot'"), ("binance:429:rate=2", "rate must be 0…1"),
        ("binance:5xx:status=404", "500…599"), ("binance:429:colour=red", "unknown option 'colour'"), ("binance:429:retry-after=soon", "whole number"),
    ])
    func badSpecsSayWhatIsWrong(spec: String, message: String) {
        #expect { try MockFault(spec: spec) } throws: { error in "\(error)".contains(message) }
    }

    @Test func rateAndCountAreHonouredDeterministically() throws {
        let a = FaultInjector(faults: [try MockFault(spec: "binance:429:rate=0.3")], seed: 9)
        let b = FaultInjector(faults: [try MockFault(spec: "binance:429:rate=0.3")], seed: 9)
        let hitsA = (0..<1_000).map { _ in a.fault(for: "binance") != nil }
        let hitsB = (0..<1_000).map { _ in b.fault(for: "binance") != nil }
        #expect(hitsA == hitsB)
        #expect((240...360).contains(hitsA.filter { $0 }.count))
        #expect(a.fault(for: "kraken") == nil)
        let counted = FaultInjector(faults: [try MockFault(spec: "*:5xx:count=2")])
        #expect((0..<10).compactMap { _ in counted.fault(for: "coinbase") }.count == 2)
    }

    @Test func httpDatesAreIMFFixdate() {
        #expect(UTCTimestamp(rfc3339: "1994-11-06T08:49:37Z")!.httpDate == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(UTCTimestamp(rfc3339: "2026-11-23T00:00:00Z")!.httpDate == "Mon, 23 Nov 2026 00:00:00 GMT")
    }
}
