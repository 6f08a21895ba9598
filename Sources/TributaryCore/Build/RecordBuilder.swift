/// Builds a ``Record`` from named fields (a pushed JSON event, an imported CSV row after its
/// rules), checking every field against the record model: required fields present, decimals
/// exact, times parseable, sides and kinds known. All problems are reported, not just the first.
///
/// Field names are the record model's (`kind`, `symbol`, `as_of`, `last`, `start`, …). Values
/// may be JSON numbers or strings; times are RFC 3339 text or epoch numbers whose digit count
/// says the unit (10 s, 13 ms, 16 µs, 19 ns).
///
/// Identity fields (symbols, ids, series, assets, intervals, endpoints) make a record's natural
/// key, so they must survive the store byte for byte: control characters (U+0000–U+001F,
/// U+007F–U+009F) are refused in them, symbols may be at most ``maxSymbolBytes`` and ids at most
/// ``maxIdentifierBytes`` of UTF-8, and NUL is refused in every text field. Amounts that cannot
/// be negative (sizes, volumes, balances, trade counts) are refused below zero; prices, changes,
/// sentiment and observation values may be negative.
public struct RecordBuilder: Sendable {
    public let source: SourceID
    /// `endpoint` of records that do not name one (`push`, `import`).
    public let defaultEndpoint: String

    /// The longest symbol or venue symbol accepted, in UTF-8 bytes (an OCC option symbol is 21).
    public static let maxSymbolBytes = 128
    /// The longest trade id, news id, series, asset, interval or endpoint accepted, in UTF-8 bytes.
    public static let maxIdentifierBytes = 512

    public init(source: SourceID, defaultEndpoint: String) {
        self.source = source
        self.defaultEndpoint = defaultEndpoint
    }

    /// The fields each kind reads, for "unknown field" checks and documentation.
    public static let fields: [Record.Kind: [String]] = [
        .quote: [
            "as_of", "last", "bid", "ask", "bid_size", "ask_size", "open", "high", "low", "volume", "quote_volume", "change", "change_percent", "currency",
        ],
        .bar: ["interval", "start", "open", "high", "low", "close", "volume", "trades", "vwap"],
        .trade: ["trade_id", "time", "price", "size", "side"],
        .book: ["as_of", "bids", "asks"],
        .news: ["id", "headline", "summary", "url", "publisher", "published_at", "symbols", "sentiment"],
        .observation: ["series", "date", "value"],
        .balance: ["asset", "free", "locked"],
    ]
    public static let common = ["kind", "symbol", "venue_symbol", "endpoint", "source"]
    /// Every field a kind's record may have (built once: `build` runs per row and per event).
    static let knownFields: [Record.Kind: Set<String>] = fields.mapValues { Set(common + $0) }

    public func build(_ values: [String: JSONValue]) -> Result<Record, InvalidRecord> {
        var reader = Reader(values: values)
        guard let kindText = reader.text("kind", required: true) else { return .failure(InvalidRecord(problems: reader.problems)) }
        guard let kind = Record.Kind(rawValue: kindText) else {
            return .failure(
                InvalidRecord(problems: [
                    FieldProblem("kind", "must be one of \(Record.Kind.allCases.map(\.rawValue).joined(separator: ", ")); got '\(kindText)'")
                ]))
        }
        let known = Self.knownFields[kind] ?? []
        if values.keys.contains(where: { !known.contains($0) }) {
            for name in values.keys.sorted() where !known.contains(name) {
                reader.problems.append(FieldProblem(name, "not a field of a \(kind.rawValue) record\(ClosestMatch.suggestion(name, in: Array(known)))"))
            }
        }
        if let claimed = reader.text("source", required: false), claimed != source.rawValue {
            reader.problems.append(FieldProblem("source", "says '\(claimed)' but the event was sent for '\(source.rawValue)'"))
        }
        let symbol =
            kind == .observation
            ? (reader.identifier("symbol", required: false, maxBytes: Self.maxSymbolBytes) ?? values["series"].flatMap(\.stringValue) ?? "")
            : reader.identifier("symbol", required: true, maxBytes: Self.maxSymbolBytes) ?? ""
        let venueSymbol = reader.identifier("venue_symbol", required: false, maxBytes: Self.maxSymbolBytes) ?? symbol
        let endpoint = reader.identifier("endpoint", required: false) ?? defaultEndpoint
        let payload: Record.Payload?
        switch kind {
        case .quote:
            let asOf = reader.time("as_of", required: true)
            let quote = Quote(
                asOf: asOf ?? UTCTimestamp(nanosecondsSinceEpoch: 0), last: reader.decimal("last"), bid: reader.decimal("bid"), ask: reader.decimal("ask"),
                bidSize: reader.amount("bid_size"), askSize: reader.amount("ask_size"), open: reader.decimal("open"), high: reader.decimal("high"),
                low: reader.decimal("low"), volume: reader.amount("volume"), quoteVolume: reader.amount("quote_volume"), change: reader.decimal("change"),
                changePercent: reader.decimal("change_percent"), currency: reader.text("currency", required: false))
            if quote.last == nil && quote.bid == nil && quote.ask == nil {
                reader.problems.append(FieldProblem("last", "a quote needs at least one of last, bid, ask"))
            }
            payload = .quote(quote)
        case .bar:
            let interval = reader.identifier("interval", required: true)
            let start = reader.time("start", required: true)
            let (open, high, low, close) = (
                reader.decimal("open", required: true), reader.decimal("high", required: true),
                reader.decimal("low", required: true), reader.decimal("close", required: true)
            )
            if let high, let low, high < low { reader.problems.append(FieldProblem("high", "must not be below low (\(high) < \(low))")) }
            if let interval, let start, let open, let high, let low, let close {
                payload = .bar(
                    Bar(
                        interval: interval, start: start, open: open, high: high, low: low, close: close,
                        volume: reader.amount("volume"), trades: reader.integer("trades", nonNegative: true), vwap: reader.decimal("vwap")))
            } else {
                payload = nil
            }
        case .trade:
            let id = reader.identifier("trade_id", required: true)
            let time = reader.time("time", required: true)
            let (price, size) = (reader.decimal("price", required: true), reader.amount("size", required: true))
            var side: Trade.Side?
            if let text = reader.text("side", required: false) {
                side = Trade.Side(rawValue: text.lowercased())
                if side == nil { reader.problems.append(FieldProblem("side", "must be buy or sell; got '\(text)'")) }
            }
            if let id, let time, let price, let size {
                payload = .trade(Trade(tradeID: id, time: time, price: price, size: size, side: side))
            } else {
                payload = nil
            }
        case .book:
            let asOf = reader.time("as_of", required: true)
            let bids = reader.levels("bids"), asks = reader.levels("asks")
            if let asOf, let bids, let asks { payload = .book(Book(asOf: asOf, bids: bids, asks: asks)) } else { payload = nil }
        case .news:
            let id = reader.identifier("id", required: true), headline = reader.text("headline", required: true)
            let url = reader.text("url", required: true), published = reader.time("published_at", required: true)
            var symbols: [String] = []
            if case .array(let items)? = values["symbols"] {
                symbols = items.compactMap(\.stringValue)
            } else if let text = reader.text("symbols", required: false) {
                symbols = text.split(separator: ",").map { String($0) }
            }
            for (index, listed) in symbols.enumerated() where !Reader.isIdentifier(listed, maxBytes: Self.maxSymbolBytes) {
                reader.problems.append(FieldProblem("symbols[\(index)]", "must be at most \(Self.maxSymbolBytes) bytes without control characters"))
            }
            if let id, let headline, let url, let published {
                payload = .news(
                    News(
                        id: id, headline: headline, summary: reader.text("summary", required: false), url: url,
                        publisher: reader.text("publisher", required: false), publishedAt: published, symbols: symbols,
                        sentiment: reader.decimal("sentiment")))
            } else {
                payload = nil
            }
        case .observation:
            let series = reader.identifier("series", required: true), date = reader.identifier("date", required: true)
            if let date, date.count != 10 || UTCTimestamp(rfc3339: date + "T00:00:00Z") == nil {
                reader.problems.append(FieldProblem("date", "must be a calendar date YYYY-MM-DD; got '\(date)'"))
            }
            let value = values["value"] == .null ? nil : reader.decimal("value")
            if let series, let date { payload = .observation(Observation(series: series, date: date, value: value)) } else { payload = nil }
        case .balance:
            let asset = reader.identifier("asset", required: true)
            let (free, locked) = (reader.amount("free", required: true), reader.amount("locked", required: true))
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
            case .string(let text)? where text.utf8.contains(0):
                problems.append(FieldProblem(name, "must not contain NUL (U+0000)"))
                return nil
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

        /// Text that becomes part of a record's identity: no control characters, bounded length.
        mutating func identifier(_ name: String, required: Bool, maxBytes: Int = RecordBuilder.maxIdentifierBytes) -> String? {
            guard let text = text(name, required: required) else { return nil }
            guard Self.isIdentifier(text, maxBytes: maxBytes) else {
                let length = text.utf8.count
                problems.append(
                    FieldProblem(
                        name,
                        length > maxBytes
                            ? "must be at most \(maxBytes) bytes of UTF-8; got \(length)"
                            : "must not contain control characters (U+0000–U+001F, U+007F–U+009F)"))
                return nil
            }
            return text
        }

        /// At most `maxBytes` of UTF-8 and no control character: no byte below 0x20, no 0x7F,
        /// and no C2 80…C2 9F (U+0080–U+009F; the only way UTF-8 writes them). One pass over the bytes.
        static func isIdentifier(_ text: String, maxBytes: Int) -> Bool {
            guard text.utf8.count <= maxBytes else { return false }
            var afterC2 = false
            for byte in text.utf8 {
                if byte < 0x20 || byte == 0x7F || (afterC2 && byte >= 0x80 && byte <= 0x9F) { return false }
                afterC2 = byte == 0xC2
            }
            return true
        }

        /// A decimal that the record model forbids below zero (a size, a volume, a balance).
        mutating func amount(_ name: String, required: Bool = false) -> ExactDecimal? {
            guard let value = decimal(name, required: required) else { return nil }
            guard !value.isNegative else {
                problems.append(FieldProblem(name, "must not be negative; got \(value)"))
                return nil
            }
            return value
        }

        mutating func decimal(_ name: String, required: Bool = false) -> ExactDecimal? {
            guard let text = text(name, required: required) else { return nil }
            do { return try ExactDecimal(parsing: text) } catch {
                problems.append(FieldProblem(name, "must be an exact decimal number; got '\(text.prefix(40))'"))
                return nil
            }
        }

        mutating func integer(_ name: String, nonNegative: Bool = false) -> Int64? {
            guard let text = text(name, required: false) else { return nil }
            guard let value = Int64(text) else { problems.append(FieldProblem(name, "must be a whole number; got '\(text.prefix(40))'")); return nil }
            guard !nonNegative || value >= 0 else { problems.append(FieldProblem(name, "must not be negative; got \(value)")); return nil }
            return value
        }

        mutating func time(_ name: String, required: Bool) -> UTCTimestamp? {
            guard let text = text(name, required: required) else { return nil }
            if let time = TimeText.parse(text) { return time }
            problems.append(
                FieldProblem(
                    name,
                    "must be an RFC 3339 time (2024-01-02T03:04:05Z) or epoch seconds/ms/µs/ns within \(UTCTimestamp.supportedRangeText); got '\(text.prefix(40))'"
                ))
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
                guard !size.isNegative else {
                    problems.append(FieldProblem("\(name)[\(index)]", "size must not be negative; got \(size)"))
                    return nil
                }
                levels.append(Book.Level(price: price, size: size))
            }
            return levels
        }
    }
}
