import Testing
import TributaryCore

@Suite struct RecordBuilderTests {
    let builder = RecordBuilder(source: "acme", defaultEndpoint: "push")

    func fields(_ json: String) -> [String: JSONValue] {
        guard case .object(let object) = try! JSONParser.parse(Array(json.utf8)) else { return [:] }
        return Dictionary(object.members.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
    }

    @Test func aQuoteWithExactNumbersAndEpochTime() throws {
        let record = try builder.build(fields(#"{"kind":"quote","symbol":"BTC-USD","as_of":1700000000123,"last":"95000.10","bid":95000.05}"#)).get()
        #expect(record.source == "acme" && record.endpoint == "push" && record.venueSymbol == "BTC-USD")
        guard case .quote(let quote) = record.payload else { Issue.record("not a quote"); return }
        #expect(quote.asOf.rfc3339 == "2023-11-14T22:13:20.123Z")
        #expect(quote.last?.description == "95000.10" && quote.bid?.description == "95000.05")
    }

    @Test func everyProblemIsNamedWithItsRule() {
        guard case .failure(let invalid) = builder.build(fields(#"{"kind":"trade","symbol":"X","time":"yesterday","price":"abc","sid":"buy"}"#)) else {
            Issue.record("should fail"); return
        }
        let byField = Dictionary(invalid.problems.map { ($0.field, $0.rule) }, uniquingKeysWith: { a, _ in a })
        #expect(byField["trade_id"] == "is required")
        #expect(byField["time"]?.contains("RFC 3339") == true)
        #expect(byField["price"]?.contains("exact decimal") == true)
        #expect(byField["size"] == "is required")
        #expect(byField["sid"]?.contains("did you mean 'side'?") == true)
    }

    @Test func kindsAndCrossFieldRules() {
        #expect(throws: InvalidRecord.self) { try builder.build(fields(#"{"kind":"tick"}"#)).get() }
        #expect(throws: InvalidRecord.self) {
            try builder.build(fields(#"{"kind":"bar","symbol":"X","interval":"1m","start":"2024-01-01T00:00:00Z","open":"1","high":"1","low":"2","close":"1"}"#)).get()
        }
        #expect(throws: InvalidRecord.self) { try builder.build(fields(#"{"kind":"quote","symbol":"X","as_of":"2024-01-01T00:00:00Z"}"#)).get() }
        #expect(throws: InvalidRecord.self) { try builder.build(fields(#"{"kind":"quote","source":"other","symbol":"X","as_of":1,"last":"1"}"#)).get() }
        let book = builder.build(fields(#"{"kind":"book","symbol":"X","as_of":"2024-01-01T00:00:00Z","bids":[["1.5","2"]],"asks":[["1.6","3"]]}"#))
        #expect((try? book.get()) != nil)
        let observation = builder.build(fields(#"{"kind":"observation","series":"GDP","date":"2024-01-01","value":null}"#))
        #expect((try? observation.get())?.symbol == "GDP")
    }

    @Test func epochUnitsByDigits() {
        #expect(TimeText.parse("1700000000")?.rfc3339 == "2023-11-14T22:13:20.000Z")
        #expect(TimeText.parse("1700000000123")?.rfc3339 == "2023-11-14T22:13:20.123Z")
        #expect(TimeText.parse("1700000000123456")?.nanosecondsSinceEpoch == 1_700_000_000_123_456_000)
        #expect(TimeText.parse("1700000000123456789")?.nanosecondsSinceEpoch == 1_700_000_000_123_456_789)
        #expect(TimeText.parse("1700000000.5")?.nanosecondsSinceEpoch == 1_700_000_000_500_000_000)
        #expect(TimeText.parse("soon") == nil)
    }
}
