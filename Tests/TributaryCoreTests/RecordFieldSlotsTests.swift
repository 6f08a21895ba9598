import Testing
import TributaryCore

/// The import's positional path (cells placed by a column map, rules rewriting slots) must build
/// exactly what the push path's dictionary builds: the same record, or the same problems in the
/// same order, and the same identity.
@Suite struct RecordFieldSlotsTests {
    let builder = RecordBuilder(source: "acme", defaultEndpoint: "import")

    @Test func aFieldsIndexIsItsPlaceAmongAllCases() {
        for (position, field) in RecordField.allCases.enumerated() { #expect(field.index == position, "\(field)") }
        #expect(RecordField.allCases.count <= 64)
    }

    /// Valid rows of every kind (by column name → cell text, as a CSV row would give them).
    static let rows: [[(String, String)]] = [
        [("kind", "quote"), ("symbol", "BTC-USD"), ("as_of", "1700000000123"), ("last", "95000.10"), ("bid", "95000.05"), ("ask_size", "2")],
        [
            ("kind", "bar"), ("symbol", "ETH"), ("interval", "1m"), ("start", "2024-01-02T03:04:00Z"), ("open", "1"), ("high", "3"), ("low", "0.5"),
            ("close", "2"),
            ("volume", "10"), ("trades", "4"),
        ],
        [
            ("kind", "trade"), ("symbol", "BTC-USD"), ("trade_id", "42"), ("time", "2024-01-02 09:30:00"), ("price", "95000.00"), ("size", "0.001"),
            ("side", "Buy"),
        ],
        [
            ("kind", "news"), ("symbol", "AAPL"), ("id", "n1"), ("headline", "Up"), ("url", "https://x"), ("published_at", "2024-01-02T03:04:05Z"),
            ("symbols", "AAPL,MSFT"),
        ],
        [("kind", "observation"), ("series", "GDP"), ("date", "2024-01-01"), ("value", "1.5")],
        [("kind", "balance"), ("symbol", "BTC"), ("asset", "BTC"), ("free", "1.5"), ("locked", "0")],
    ]

    /// Each row as given, and broken in each way a row can be: a field missing, a bad value, an
    /// unknown column, another kind's field, an empty cell.
    static var variants: [[(String, String)]] {
        var out: [[(String, String)]] = []
        for row in rows {
            out.append(row)
            for drop in row.indices { out.append(row.enumerated().filter { $0.offset != drop }.map(\.element)) }
            for bad in row.indices { var broken = row; broken[bad].1 = "x\u{1}-"; out.append(broken) }
            out.append(row + [("colour", "red")])
            out.append(row + [("price", "1"), ("headline", "h")])
            out.append(row.map { ($0.0, $0.0 == "symbol" ? "" : $0.1) })
        }
        out.append([("symbol", "X")])
        out.append([("kind", "tick"), ("symbol", "X")])
        return out
    }

    static var ruleSets: [NormalizationRules?] {
        var withKind = NormalizationRules()
        withKind.defaults = ["kind": "trade", "endpoint": "tape"]
        var renamed = NormalizationRules()
        renamed.rename = ["symbol": "venue_symbol", "colour": "currency", "side": "sid"]
        renamed.defaults = ["symbol": "FIXED"]
        var mapped = NormalizationRules()
        mapped.symbols = ["BTC-USD": "BTC/USD", "ETH": "ETH/USD"]
        mapped.scale = ["price": -2, "last": 3, "open": 40]
        mapped.timezone = "America/New_York"
        mapped.key = ["time", "price", "size"]
        var filtered = NormalizationRules()
        filtered.keep = ["kind", "symbol", "trade_id", "time", "price", "size", "interval", "start", "open", "high", "low", "close", "as_of", "last"]
        filtered.drop = ["size"]
        filtered.defaults = ["size": "1", "unknown_default": "u"]
        return [nil, NormalizationRules(), withKind, renamed, mapped, filtered]
    }

    @Test func aFieldIsFoundByItsNameAndByNothingElse() {
        for field in RecordField.allCases {
            #expect(RecordField.named(field.rawValue) == field)
            // A name built at run time (not the literal), as a parser makes it.
            #expect(RecordField.named(String(decoding: Array(field.rawValue.utf8), as: UTF8.self)) == field)
            #expect(RecordField.named(field.rawValue.uppercased()) == nil)
            #expect(RecordField.named(field.rawValue + "_") == nil)
            // Its prefixes are fields only where the enum says so (`symbols` → `symbol`, `asks` → `ask`).
            for cut in 1..<field.rawValue.count {
                let prefix = String(field.rawValue.dropLast(cut))
                #expect(RecordField.named(prefix) == RecordField(rawValue: prefix), "\(prefix)")
            }
        }
        for name in ["", "x", "asof", "trade id", "trade_id\u{0}", "tradé_id", "symbol\u{301}", String(repeating: "a", count: 1000)] {
            #expect(RecordField.named(name) == nil, "\(name)")
        }
        #expect(RecordField.named("symbols") == .symbols && RecordField.named("symbol") == .symbol)
    }

    @Test func slotsBuildWhatTheDictionaryBuilds() {
        var compared = 0
        var slots = RecordFieldSlots()
        for rules in Self.ruleSets {
            for row in Self.variants {
                let header = row.map(\.0)
                // The push path: a dictionary of the non-empty cells, through `apply`.
                var dictionary: [String: JSONValue] = [:]
                for (name, text) in row where !text.isEmpty { dictionary[name] = .string(text) }
                let applied = rules.map { $0.apply(dictionary) } ?? .success(dictionary)
                let expected: Result<Record, InvalidRecord> = applied.flatMap { builder.build($0) }
                let expectedKey = (try? applied.get()).flatMap { rules?.naturalKey(of: $0) }

                // The import's path: cells placed by the column map, rules rewriting the slots.
                slots.removeAll()
                for (index, target) in (rules ?? NormalizationRules()).columnFields(header: header).enumerated() {
                    guard let target, !row[index].1.isEmpty else { continue }
                    switch target {
                    case .field(let field): slots.set(.string(row[index].1), field)
                    case .other(let name): slots.set(.string(row[index].1), named: name)
                    }
                }
                let problems = rules?.rewrite(&slots) ?? []
                let actual: Result<Record, InvalidRecord> = problems.isEmpty ? builder.build(slots) : .failure(InvalidRecord(problems: problems))
                #expect(actual == expected, "rules \(String(describing: rules)) row \(row)")
                if problems.isEmpty, case .success = applied { #expect(rules?.naturalKey(of: slots) == expectedKey) }
                compared += 1
            }
        }
        #expect(compared > 300)
    }

    /// A pushed event (a JSON object) goes straight to slots too: the same record, problems and
    /// identity as its members in a dictionary through `apply`, with one scratch reused across
    /// every event.
    @Test func eventsBuildWhatTheirDictionaryBuilds() {
        var compared = 0
        var scratch = RecordFieldSlots()
        for rules in Self.ruleSets {
            for row in Self.variants {
                var dictionary: [String: JSONValue] = [:]
                for (name, text) in row where !text.isEmpty { dictionary[name] = .string(text) }
                let applied = rules.map { $0.apply(dictionary) } ?? .success(dictionary)
                let expected = applied.flatMap { fields in builder.build(fields).map { ($0, rules?.naturalKey(of: fields)) } }
                let event = JSONValue.object(JSONObject(row.filter { !$0.1.isEmpty }.map { (key: $0.0, value: JSONValue.string($0.1)) }))
                let actual = EventRecord.build(event, rules: rules, builder: builder, fields: &scratch)
                let fresh = EventRecord.build(event, rules: rules, builder: builder)
                switch (expected, actual, fresh) {
                case (.success(let e), .success(let a), .success(let f)):
                    #expect(a.record == e.0 && a.identity == e.1 && f.record == e.0 && f.identity == e.1, "rules \(String(describing: rules)) row \(row)")
                case (.failure(let e), .failure(let a), .failure(let f)):
                    #expect(a == e && f == e, "rules \(String(describing: rules)) row \(row)")
                default:
                    Issue.record("rules \(String(describing: rules)) row \(row): expected \(expected), got \(actual) / \(fresh)")
                }
                compared += 1
            }
        }
        #expect(compared > 300)
    }

    @Test func anEventsFirstValueOfARepeatedMemberCounts() throws {
        let members: [(key: String, value: JSONValue)] = [
            ("kind", "trade"), ("symbol", "BTC-USD"), ("trade_id", "1"), ("time", "2024-01-02T03:04:05Z"), ("price", "1.5"), ("size", "2"),
            ("price", "9"), ("colour", "red"), ("colour", "blue"),
        ]
        var scratch = RecordFieldSlots()
        let built = EventRecord.build(.object(JSONObject(members)), rules: nil, builder: builder, fields: &scratch)
        guard case .failure(let invalid) = built else { Issue.record("colour is not a trade field: \(built)"); return }
        #expect(invalid.description.contains("colour"))
        let trade = EventRecord.build(.object(JSONObject(Array(members.prefix(7)))), rules: nil, builder: builder, fields: &scratch)
        guard case .success(let ok) = trade, case .trade(let t) = ok.record.payload else { Issue.record("\(trade)"); return }
        #expect(t.price == (try ExactDecimal(parsing: "1.5")))
    }

    @Test func slotsForgetTheRowBefore() {
        var slots = RecordFieldSlots()
        slots.set(.string("1"), .price)
        slots.set(.string("x"), named: "colour")
        slots.removeAll()
        #expect(slots.value(.price) == nil && slots.value(named: "colour") == nil)
        #expect(slots.unknownNames(known: RecordField.known(for: .trade)).isEmpty)
        slots.set(.string("a"), named: "colour")
        slots.set(.string("b"), named: "colour")
        slots.set(.string("h"), .headline)
        #expect(slots.value(named: "colour") == .string("b"))
        #expect(slots.unknownNames(known: RecordField.known(for: .trade)) == ["colour", "headline"])
    }
}
