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

    /// A valid record of each kind, as pushed members (what the field checks below start from).
    static let minimal: [Record.Kind: String] = [
        .quote: #""kind":"quote","symbol":"X","as_of":"2024-01-01T00:00:00Z","last":"1""#,
        .bar: #""kind":"bar","symbol":"X","interval":"1m","start":"2024-01-01T00:00:00Z","open":"1","high":"1","low":"1","close":"1""#,
        .trade: #""kind":"trade","symbol":"X","trade_id":"7","time":"2024-01-01T00:00:00Z","price":"1","size":"1""#,
        .book: #""kind":"book","symbol":"X","as_of":"2024-01-01T00:00:00Z","bids":[["1","1"]],"asks":[["2","1"]]"#,
        .news: #""kind":"news","symbol":"X","id":"n1","headline":"h","url":"https://example.com","published_at":"2024-01-01T00:00:00Z""#,
        .observation: #""kind":"observation","series":"GDP","date":"2024-01-01","value":"1""#,
        .balance: #""kind":"balance","symbol":"X","asset":"BTC","free":"1","locked":"0""#,
    ]

    @Test func everyKindIsBuiltFromItsName() throws {
        for kind in Record.Kind.allCases {
            let record = try builder.build(fields("{" + Self.minimal[kind]! + "}")).get()
            #expect(record.kind == kind)
        }
        #expect(throws: InvalidRecord.self) { try builder.build(fields(#"{"kind":"Trade","symbol":"X"}"#)).get() }
    }

    /// An import skips its schema's check of a cell the builder parses (`decimalFields`,
    /// `timeFields`): that holds only if every such field a kind has is parsed whenever it is built.
    @Test func everyDecimalAndTimeFieldOfAKindIsParsedWhenItIsBuilt() {
        for kind in Record.Kind.allCases {
            let known = RecordField.known(for: kind)
            for field in RecordField.allCases where known.contains(field) {
                let decimal = RecordBuilder.decimalFields.contains(field), time = RecordBuilder.timeFields.contains(field)
                guard decimal || time else { continue }
                var members = fields("{" + Self.minimal[kind]! + "}")
                members[field.rawValue] = .string("not-a-\(decimal ? "number" : "time")")
                guard case .failure(let invalid) = builder.build(members) else {
                    Issue.record("\(kind.rawValue) with \(field.rawValue) unparsable was built")
                    continue
                }
                #expect(invalid.problems.contains { $0.field == field.rawValue }, "\(kind.rawValue).\(field.rawValue): \(invalid)")
            }
        }
        #expect(RecordBuilder.decimalFields.bits & RecordBuilder.timeFields.bits == 0)
    }

    @Test func kindsAndCrossFieldRules() {
        #expect(throws: InvalidRecord.self) { try builder.build(fields(#"{"kind":"tick"}"#)).get() }
        #expect(throws: InvalidRecord.self) {
            try builder.build(
                fields(#"{"kind":"bar","symbol":"X","interval":"1m","start":"2024-01-01T00:00:00Z","open":"1","high":"1","low":"2","close":"1"}"#)
            ).get()
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

@Suite struct RecordBuilderIdentityTests {
    let builder = RecordBuilder(source: "acme", defaultEndpoint: "push")

    func problems(_ values: [String: JSONValue]) -> [String: String] {
        guard case .failure(let invalid) = builder.build(values) else { return [:] }
        return Dictionary(invalid.problems.map { ($0.field, $0.rule) }, uniquingKeysWith: { a, _ in a })
    }

    func trade(_ changes: [String: JSONValue]) -> [String: JSONValue] {
        ["kind": "trade", "symbol": "BTC-USD", "trade_id": "t1", "time": .number("1700000000123"), "price": "1.5", "size": "2"].merging(changes) { $1 }
    }

    @Test func controlCharactersInIdentityFieldsAreRefused() {
        #expect(problems(trade(["trade_id": "nul\u{0}one"]))["trade_id"] == "must not contain NUL (U+0000)")
        #expect(problems(trade(["trade_id": "tab\there"]))["trade_id"]?.contains("control characters") == true)
        #expect(problems(trade(["symbol": "BTC\u{85}USD"]))["symbol"]?.contains("control characters") == true)
        #expect(problems(trade(["venue_symbol": "x\u{7f}"]))["venue_symbol"]?.contains("control characters") == true)
        // Text fields may hold tabs and newlines, never NUL.
        let news: [String: JSONValue] = [
            "kind": "news", "symbol": "AAPL", "id": "n1", "headline": "a\tb\nc", "url": "https://x", "published_at": "2024-01-02T00:00:00Z",
        ]
        #expect(problems(news).isEmpty)
        #expect(problems(news.merging(["headline": "a\u{0}b"]) { $1 })["headline"] == "must not contain NUL (U+0000)")
    }

    @Test func lengthsAreBounded() {
        let symbol = String(repeating: "S", count: RecordBuilder.maxSymbolBytes)
        #expect(problems(trade(["symbol": .string(symbol)])).isEmpty)
        #expect(problems(trade(["symbol": .string(symbol + "S")]))["symbol"] == "must be at most 128 bytes of UTF-8; got 129")
        #expect(problems(trade(["trade_id": .string(String(repeating: "é", count: 257))]))["trade_id"] == "must be at most 512 bytes of UTF-8; got 514")
    }

    @Test func negativeAmountsAreRefusedWhereTheKindForbidsThem() {
        #expect(problems(trade(["size": "-2"]))["size"] == "must not be negative; got -2")
        #expect(problems(trade(["price": "-37.63"])).isEmpty)  // WTI, 2020-04-20
        let bar: [String: JSONValue] = [
            "kind": "bar", "symbol": "X", "interval": "1m", "start": "2024-01-02T00:00:00Z", "open": "1", "high": "2", "low": "1", "close": "2",
        ]
        #expect(problems(bar.merging(["volume": "-1"]) { $1 })["volume"] != nil)
        #expect(problems(bar.merging(["trades": "-3"]) { $1 })["trades"] == "must not be negative; got -3")
        let balance: [String: JSONValue] = ["kind": "balance", "symbol": "BTC", "asset": "BTC", "free": "1", "locked": "-0.1"]
        #expect(problems(balance)["locked"] != nil)
        let book: [String: JSONValue] = ["kind": "book", "symbol": "X", "as_of": "2024-01-02T00:00:00Z", "bids": [["1", "-1"]], "asks": []]
        #expect(problems(book)["bids[0]"] == "size must not be negative; got -1")
        let quote: [String: JSONValue] = [
            "kind": "quote", "symbol": "X", "as_of": "2024-01-02T00:00:00Z", "last": "1", "change": "-0.5", "change_percent": "-3.2",
        ]
        #expect(problems(quote).isEmpty)
        #expect(problems(quote.merging(["bid_size": "-1"]) { $1 })["bid_size"] != nil)
    }

    @Test func outOfRangeTimesNameTheSupportedRange() {
        let rule = problems(trade(["time": "9999-12-31T23:59:59Z"]))["time"] ?? ""
        #expect(rule.contains("1677-09-21T00:12:43.146Z … 2262-04-11T23:47:16.854Z"), "\(rule)")
    }

    @Test func keyFieldsJoinWithoutCollisions() {
        var rules = NormalizationRules()
        rules.key = ["a", "b"]
        let first = rules.naturalKey(of: ["a": "x|y", "b": "z"])
        let second = rules.naturalKey(of: ["a": "x", "b": "y|z"])
        #expect(first != second)
        #expect(rules.naturalKey(of: ["a": "x", "b": "y"]) == "x|y")
        #expect(rules.naturalKey(of: ["a": "x\\", "b": "|y"]) != rules.naturalKey(of: ["a": "x\\|", "b": "y"]))
    }

    /// The identifier check's ASCII pass and its byte-by-byte pass agree with the rule as
    /// written: every byte value alone, inside printable text, at either end, after C2, and at
    /// the length limit.
    @Test func identifiersAreRefusedExactlyForControlCharactersAndLength() {
        func expected(_ bytes: [UInt8], _ maxBytes: Int) -> Bool {
            guard bytes.count <= maxBytes else { return false }
            for (index, byte) in bytes.enumerated() {
                if byte < 0x20 || byte == 0x7F { return false }
                if index > 0, bytes[index - 1] == 0xC2, (0x80...0x9F).contains(byte) { return false }
            }
            return true
        }
        for value in UInt8.min...UInt8.max {
            for bytes in [
                [value], Array("BTC-USD".utf8) + [value], [value] + Array("x".utf8), [0xC2, value], Array("a".utf8) + [0xC2, value] + Array("b".utf8),
            ] {
                guard let text = String(validating: bytes, as: UTF8.self) else { continue }
                #expect(RecordBuilder.isIdentifier(text, maxBytes: 128) == expected(bytes, 128), "\(bytes)")
            }
        }
        #expect(RecordBuilder.isIdentifier(String(repeating: "a", count: 128), maxBytes: 128))
        #expect(!RecordBuilder.isIdentifier(String(repeating: "a", count: 129), maxBytes: 128))
        #expect(!RecordBuilder.isIdentifier(String(repeating: "é", count: 65), maxBytes: 128))
    }
}
