/// Builds a ``Record`` from named fields (a pushed JSON event, an imported CSV row after its
/// rules), checking every field against the record model: required fields present, decimals
/// exact, times parseable, sides and kinds known. All problems are reported, not just the first.
///
/// Field names are the record model's (`kind`, `symbol`, `as_of`, `last`, `start`, …). Values
/// may be JSON numbers or strings; times are RFC 3339 text or epoch numbers whose digit count
/// says the unit (10 s, 13 ms, 16 µs, 19 ns).
public struct RecordBuilder: Sendable {
    public let source: SourceID
    /// `endpoint` of records that do not name one (`push`, `import`).
    public let defaultEndpoint: String

    public init(source: SourceID, defaultEndpoint: String) {
        self.source = source
        self.defaultEndpoint = defaultEndpoint
    }

    /// The fields each kind reads, for "unknown field" checks and documentation.
    public static let fields: [Record.Kind: [String]] = [
        .quote: ["as_of", "last", "bid", "ask", "bid_size", "ask_size", "open", "high", "low", "volume", "quote_volume", "change", "change_percent", "currency"],
        .bar: ["interval", "start", "open", "high", "low", "close", "volume", "trades", "vwap"],
        .trade: ["trade_id", "time", "price", "size", "side"],
        .book: ["as_of", "bids", "asks"],
        .news: ["id", "headline", "summary", "url", "publisher", "published_at", "symbols", "sentiment"],
        .observation: ["series", "date", "value"],
        .balance: ["asset", "free", "locked"],
    ]
    public static let common = ["kind", "symbol", "venue_symbol", "endpoint", "source"]

    public func build(_ values: [String: JSONValue]) -> Result<Record, InvalidRecord> {
        var reader = Reader(values: values)
        guard let kindText = reader.text("kind", required: true) else { return .failure(InvalidRecord(problems: reader.problems)) }
        guard let kind = Record.Kind(rawValue: kindText) else {
            return .failure(InvalidRecord(problems: [FieldProblem("kind", "must be one of \(Record.Kind.allCases.map(\.rawValue).joined(separator: ", ")); got '\(kindText)'")]))
        }
        let known = Set(Self.common + (Self.fields[kind] ?? []))
        for name in values.keys.sorted() where !known.contains(name) {
            reader.problems.append(FieldProblem(name, "not a field of a \(kind.rawValue) record\(ClosestMatch.suggestion(name, in: Array(known)))"))
        }
        if let claimed = reader.text("source", required: false), claimed != source.rawValue {
            reader.problems.append(FieldProblem("source", "says '\(claimed)' but the event was sent for '\(source.rawValue)'"))
        }
        let symbol = kind == .observation ? (reader.text("symbol", required: false) ?? values["series"].flatMap(\.stringValue) ?? "") : reader.text("symbol", required: true) ?? ""
        let venueSymbol = reader.text("venue_symbol", required: false) ?? symbol
        let endpoint = reader.text("endpoint", required: false) ?? defaultEndpoint
        let payload: Record.Payload?
        switch kind {
        case .quote:
            let asOf = reader.time("as_of", required: true)
            let quote = Quote(
                asOf: asOf ?? UTCTimestamp(secondsSinceEpoch: 0), last: reader.decimal("last"), bid: reader.decimal("bid"), ask: reader.decimal("ask"),
                bidSize: reader.decimal("bid_size"), askSize: reader.decimal("ask_size"), open: reader.decimal("open"), high: reader.decimal("high"),
                low: reader.decimal("low"), volume: reader.decimal("volume"), quoteVolume: reader.decimal("quote_volume"), change: reader.decimal("change"),
                changePercent: reader.decimal("change_percent"), currency: reader.text("currency", required: false))
            if quote.last == nil && quote.bid == nil && quote.ask == nil {
                reader.problems.append(FieldProblem("last", "a quote needs at least one of last, bid, ask"))
            }
            payload = .quote(quote)
        case .bar:
            let interval = reader.text("interval", required: true)
            let start = reader.time("start", required: true)
            let (open, high, low, close) = (reader.decimal("open", required: true), reader.decimal("high", required: true),
                                            reader.decimal("low", required: true), reader.decimal("close", required: true))
            if let high, let low, high < low { reader.problems.append(FieldProblem("high", "must not be below low (\(high) < \(low))")) }
            if let interval, let start, let open, let high, let low, let close {
                payload = .bar(Bar(interval: interval, start: start, open: open, high: high, low: low, close: close,
                                   volume: reader.decimal("volume"), trades: reader.integer("trades"), vwap: reader.decimal("vwap")))
            } else { payload = nil }
        case .trade:
            let id = reader.text("trade_id", required: true)
            let time = reader.time("time", required: true)
            let (price, size) = (reader.decimal("price", required: true), reader.decimal("size", required: true))
            var side: Trade.Side?
            if let text = reader.text("side", required: false) {
                side = Trade.Side(rawValue: text.lowercased())
                if side == nil { reader.problems.append(FieldProblem("side", "must be buy or sell; got '\(text)'")) }
            }
            if let id, let time, let price, let size { payload = .trade(Trade(tradeID: id, time: time, price: price, size: size, side: side)) } else { payload = nil }
        case .book:
            let asOf = reader.time("as_of", required: true)
            let bids = reader.levels("bids"), asks = reader.levels("asks")
            if let asOf, let bids, let asks { payload = .book(Book(asOf: asOf, bids: bids, asks: asks)) } else { payload = nil }
        case .news:
            let id = reader.text("id", required: true), headline = reader.text("headline", required: true)
            let url = reader.text("url", required: true), published = reader.time("published_at", required: true)
            var symbols: [String] = []
            if case .array(let items)? = values["symbols"] { symbols = items.compactMap(\.stringValue) }
            else if let text = reader.text("symbols", required: false) { symbols = text.split(separator: ",").map { String($0) } }
            if let id, let headline, let url, let published {
                payload = .news(News(id: id, headline: headline, summary: reader.text("summary", required: false), url: url,
                                     publisher: reader.text("publisher", required: false), publishedAt: published, symbols: symbols,
                                     sentiment: reader.decimal("sentiment")))
            } else { payload = nil }
        case .observation:
            let series = reader.text("series", required: true), date = reader.text("date", required: true)
            if let date, date.count != 10 || UTCTimestamp(rfc3339: date + "T00:00:00Z") == nil {
                reader.problems.append(FieldProblem("date", "must be a calendar date YYYY-MM-DD; got '\(date)'"))
            }
            let value = values["value"] == .null ? nil : reader.decimal("value")
            if let series, let date { payload = .observation(Observation(series: series, date: date, value: value)) } else { payload = nil }
        case .balance:
            let asset = reader.text("asset", required: true)
            let (free, locked) = (reader.decimal("free", required: true), reader.decimal("locked", required: true))
            if let asset, let free, let locked { payload = .balance(Balance(asset: asset, free: free, locked: locked)) } else { payload = nil }
        }
        guard reader.problems.isEmpty, let payload else { return .failure(InvalidRecord(problems: reader.problems)) }
        return .success(Record(source: source, endpoint: endpoint, symbol: symbol, venueSymbol: venueSymbol, payload: payload))
    }

    /// Reads typed fields, collecting problems.
    struct Reader {
        let values: [String: JSONValue]
        var problems: [FieldProblem] = []

        mutating func text(_ name: String, required: Bool) -> String? {
            switch values[name] {
            case .string(let text)? where !text.isEmpty: return text
            case .number(let text)?: return text
            case nil, .null?, .string?:
                if required { problems.append(FieldProblem(name, "is required")) }
                return nil
            default:
                problems.append(FieldProblem(name, "must be text"))
                return nil
            }
        }

        mutating func decimal(_ name: String, required: Bool = false) -> ExactDecimal? {
            guard let text = text(name, required: required) else { return nil }
            do { return try ExactDecimal(parsing: text) } catch {
                problems.append(FieldProblem(name, "must be an exact decimal number; got '\(text.prefix(40))'"))
                return nil
            }
        }

        mutating func integer(_ name: String) -> Int64? {
            guard let text = text(name, required: false) else { return nil }
            guard let value = Int64(text) else { problems.append(FieldProblem(name, "must be a whole number; got '\(text.prefix(40))'")); return nil }
            return value
        }

        mutating func time(_ name: String, required: Bool) -> UTCTimestamp? {
            guard let text = text(name, required: required) else { return nil }
            if let time = TimeText.parse(text) { return time }
            problems.append(FieldProblem(name, "must be an RFC 3339 time (2024-01-02T03:04:05Z) or epoch seconds/ms/µs/ns; got '\(text.prefix(40))'"))
            return nil
        }

        mutating func levels(_ name: String) -> [Book.Level]? {
            guard case .array(let rows)? = values[name] else {
                problems.append(FieldProblem(name, "is required: an array of [price, size] pairs, best first"))
                return nil
            }
            var levels: [Book.Level] = []
            for (index, row) in rows.enumerated() {
                guard case .array(let pair) = row, pair.count == 2, let price = pair[0].decimalValue, let size = pair[1].decimalValue else {
                    problems.append(FieldProblem("\(name)[\(index)]", "must be [price, size] with exact decimals"))
                    return nil
                }
                levels.append(Book.Level(price: price, size: size))
            }
            return levels
        }
    }
}

/// Times as users write them: RFC 3339 (`T` or a space between date and time; without an
/// offset it is UTC), or epoch numbers (unit by digit count).
public enum TimeText {
    /// A date and time with no offset (`2024-01-02 09:30:00`, `2024-01-02T09:30:00.5`).
    public static func isNaive(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count >= 19, bytes[4] == 0x2D, bytes[7] == 0x2D, bytes[10] == 0x54 || bytes[10] == 0x20, bytes[13] == 0x3A else { return false }
        let tail = bytes[19...]
        return !tail.contains(0x5A) && !tail.contains(0x2B) && !tail.contains(0x2D) && bytes.last != 0x7A
    }

    public static func parse(_ text: String) -> UTCTimestamp? {
        // Epoch numbers first: a byte scan, cheaper than a failed RFC 3339 parse.
        let utf8 = text.utf8
        let unsigned = utf8.first == 0x2D ? utf8.dropFirst() : utf8[...]
        if !unsigned.isEmpty, unsigned.count <= 19, unsigned.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let value = Int64(text) {
            switch unsigned.count {
            case ...10: return UTCTimestamp(secondsSinceEpoch: value)
            case 11...13: return UTCTimestamp(millisecondsSinceEpoch: value)
            case 14...16: return UTCTimestamp(microsecondsSinceEpoch: value)
            default: return UTCTimestamp(nanosecondsSinceEpoch: value)
            }
        }
        if let time = UTCTimestamp(rfc3339: text) { return time }
        if text.count >= 19, text.utf8.count == text.count {
            var normalized = text
            if text[text.index(text.startIndex, offsetBy: 10)] == " " {
                normalized = String(text.prefix(10)) + "T" + String(text.dropFirst(11))
            }
            if isNaive(text) { normalized += "Z" }
            if normalized != text, let time = UTCTimestamp(rfc3339: normalized) { return time }
        }
        let digits = text.hasPrefix("-") ? text.dropFirst() : Substring(text)
        guard !digits.isEmpty, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber), let value = Int64(text) else {
            // Epoch seconds with a fraction: 1700000000.123
            if let dot = text.firstIndex(of: "."), let whole = Int64(text[..<dot]), String(whole).count <= 10 {
                let fraction = text[text.index(after: dot)...].prefix(9)
                guard fraction.allSatisfy(\.isNumber), let nanos = Int64(fraction + String(repeating: "0", count: 9 - fraction.count)) else { return nil }
                return UTCTimestamp(nanosecondsSinceEpoch: whole * 1_000_000_000 + nanos)
            }
            return nil
        }
        switch digits.count {
        case ...10: return UTCTimestamp(secondsSinceEpoch: value)
        case 11...13: return UTCTimestamp(millisecondsSinceEpoch: value)
        case 14...16: return UTCTimestamp(microsecondsSinceEpoch: value)
        default: return UTCTimestamp(nanosecondsSinceEpoch: value)
        }
    }
}
