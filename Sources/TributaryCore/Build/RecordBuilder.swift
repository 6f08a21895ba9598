#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

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

    /// The fields read as exact decimals (`ExactDecimal(parsing:)`) whenever a record that has
    /// them is built: a built record's decimal fields all parsed (a test holds this list to it).
    public static let decimalFields = RecordField.Mask([
        .last, .bid, .ask, .bidSize, .askSize, .open, .high, .low, .volume, .quoteVolume, .change, .changePercent, .close, .vwap, .price, .size,
        .sentiment, .value, .free, .locked,
    ])
    /// The fields read as times (`TimeText.parse`) whenever a record that has them is built.
    public static let timeFields = RecordField.Mask([.asOf, .start, .time, .publishedAt])
    /// A pushed event's members by name.
    public func build(_ values: [String: JSONValue]) -> Result<Record, InvalidRecord> { build(fields: values) }

    /// An imported row's cells, placed by field once per file's column map.
    public func build(_ values: RecordFieldSlots) -> Result<Record, InvalidRecord> { build(fields: values) }

    /// Both forms through one body (specialized for each in this module).
    func build<Values: RecordFieldValues>(fields values: Values) -> Result<Record, InvalidRecord> {
        var reader = Reader(values: values)
        guard let kindText = reader.text(.kind, required: true) else { return .failure(InvalidRecord(problems: reader.problems)) }
        guard let kind = Self.kind(named: kindText) else {
            return .failure(
                InvalidRecord(problems: [
                    FieldProblem("kind", "must be one of \(Record.Kind.allCases.map(\.rawValue).joined(separator: ", ")); got '\(kindText)'")
                ]))
        }
        let unknown = values.unknownNames(known: RecordField.known(for: kind))
        if !unknown.isEmpty {
            let known = Self.common + (Self.fields[kind] ?? [])
            for name in unknown {
                reader.problems.append(FieldProblem(name, "not a field of a \(kind.rawValue) record\(ClosestMatch.suggestion(name, in: known))"))
            }
        }
        if let claimed = reader.text(.source, required: false), claimed != source.rawValue {
            reader.problems.append(FieldProblem("source", "says '\(claimed)' but the event was sent for '\(source.rawValue)'"))
        }
        let symbol =
            kind == .observation
            ? (reader.identifier(.symbol, required: false, maxBytes: Self.maxSymbolBytes) ?? values.value(.series).flatMap(\.stringValue) ?? "")
            : reader.identifier(.symbol, required: true, maxBytes: Self.maxSymbolBytes) ?? ""
        let venueSymbol = reader.identifier(.venueSymbol, required: false, maxBytes: Self.maxSymbolBytes) ?? symbol
        let endpoint = reader.identifier(.endpoint, required: false) ?? defaultEndpoint
        let payload: Record.Payload?
        switch kind {
        case .quote:
            let asOf = reader.time(.asOf, required: true)
            let quote = Quote(
                asOf: asOf ?? UTCTimestamp(nanosecondsSinceEpoch: 0), last: reader.decimal(.last), bid: reader.decimal(.bid), ask: reader.decimal(.ask),
                bidSize: reader.amount(.bidSize), askSize: reader.amount(.askSize), open: reader.decimal(.open), high: reader.decimal(.high),
                low: reader.decimal(.low), volume: reader.amount(.volume), quoteVolume: reader.amount(.quoteVolume), change: reader.decimal(.change),
                changePercent: reader.decimal(.changePercent), currency: reader.text(.currency, required: false))
            if quote.last == nil && quote.bid == nil && quote.ask == nil {
                reader.problems.append(FieldProblem("last", "a quote needs at least one of last, bid, ask"))
            }
            payload = .quote(quote)
        case .bar:
            let interval = reader.identifier(.interval, required: true)
            let start = reader.time(.start, required: true)
            let (open, high, low, close) = (
                reader.decimal(.open, required: true), reader.decimal(.high, required: true),
                reader.decimal(.low, required: true), reader.decimal(.close, required: true)
            )
            if let high, let low, high < low { reader.problems.append(FieldProblem("high", "must not be below low (\(high) < \(low))")) }
            if let interval, let start, let open, let high, let low, let close {
                payload = .bar(
                    Bar(
                        interval: interval, start: start, open: open, high: high, low: low, close: close,
                        volume: reader.amount(.volume), trades: reader.integer(.trades, nonNegative: true), vwap: reader.decimal(.vwap)))
            } else {
                payload = nil
            }
        case .trade:
            let id = reader.identifier(.tradeID, required: true)
            let time = reader.time(.time, required: true)
            let (price, size) = (reader.decimal(.price, required: true), reader.amount(.size, required: true))
            var side: Trade.Side?
            if let text = reader.text(.side, required: false) {
                side = text == "buy" ? .buy : text == "sell" ? .sell : Trade.Side(rawValue: text.lowercased())
                if side == nil { reader.problems.append(FieldProblem("side", "must be buy or sell; got '\(text)'")) }
            }
            if let id, let time, let price, let size {
                payload = .trade(Trade(tradeID: id, time: time, price: price, size: size, side: side))
            } else {
                payload = nil
            }
        case .book:
            let asOf = reader.time(.asOf, required: true)
            let bids = reader.levels(.bids), asks = reader.levels(.asks)
            if let asOf, let bids, let asks { payload = .book(Book(asOf: asOf, bids: bids, asks: asks)) } else { payload = nil }
        case .news:
            let id = reader.identifier(.id, required: true), headline = reader.text(.headline, required: true)
            let url = reader.text(.url, required: true), published = reader.time(.publishedAt, required: true)
            var symbols: [String] = []
            if case .array(let items)? = values.value(.symbols) {
                symbols = items.compactMap(\.stringValue)
            } else if let text = reader.text(.symbols, required: false) {
                symbols = text.split(separator: ",").map { String($0) }
            }
            for (index, listed) in symbols.enumerated() where !RecordBuilder.isIdentifier(listed, maxBytes: Self.maxSymbolBytes) {
                reader.problems.append(FieldProblem("symbols[\(index)]", "must be at most \(Self.maxSymbolBytes) bytes without control characters"))
            }
            if let id, let headline, let url, let published {
                payload = .news(
                    News(
                        id: id, headline: headline, summary: reader.text(.summary, required: false), url: url,
                        publisher: reader.text(.publisher, required: false), publishedAt: published, symbols: symbols,
                        sentiment: reader.decimal(.sentiment)))
            } else {
                payload = nil
            }
        case .observation:
            let series = reader.identifier(.series, required: true), date = reader.identifier(.date, required: true)
            if let date, date.count != 10 || UTCTimestamp(rfc3339: date + "T00:00:00Z") == nil {
                reader.problems.append(FieldProblem("date", "must be a calendar date YYYY-MM-DD; got '\(date)'"))
            }
            let value = values.value(.value) == .null ? nil : reader.decimal(.value)
            if let series, let date { payload = .observation(Observation(series: series, date: date, value: value)) } else { payload = nil }
        case .balance:
            let asset = reader.identifier(.asset, required: true)
            let (free, locked) = (reader.amount(.free, required: true), reader.amount(.locked, required: true))
            if let asset, let free, let locked { payload = .balance(Balance(asset: asset, free: free, locked: locked)) } else { payload = nil }
        }
        guard reader.problems.isEmpty, let payload else { return .failure(InvalidRecord(problems: reader.problems)) }
        return .success(Record(source: source, endpoint: endpoint, symbol: symbol, venueSymbol: venueSymbol, payload: payload))
    }

    /// The kind spelled `text`, once per record: one switch over the text.
    static func kind(named text: String) -> Record.Kind? {
        switch text {
        case "trade": .trade
        case "bar": .bar
        case "quote": .quote
        case "book": .book
        case "news": .news
        case "observation": .observation
        case "balance": .balance
        default: nil
        }
    }

    /// What one pass over a text field's bytes tells the reader.
    enum TextBytes { case printableASCII, containsNUL, other }

    /// Printable ASCII (every byte 0x20–0x7E: no NUL, no control character — nearly every
    /// field of market data), text with a NUL, or other text. One compare a byte for the
    /// common case, so an identifier needs no second scan; only other text is read again.
    static func classify(_ text: String) -> TextBytes {
        var text = text
        return text.withUTF8 { bytes in
            for byte in bytes where byte &- 0x20 >= 0x5F {
                // Most cells are a few bytes, where a `memchr` call costs more than the scan.
                if bytes.count <= 32 {
                    for byte in bytes where byte == 0 { return .containsNUL }
                    return .other
                }
                return memchr(bytes.baseAddress!, 0, bytes.count) != nil ? .containsNUL : .other
            }
            return .printableASCII
        }
    }

    /// At most `maxBytes` of UTF-8 and no control character: no byte below 0x20, no 0x7F,
    /// and no C2 80…C2 9F (U+0080–U+009F; the only way UTF-8 writes them). Printable ASCII —
    /// nearly every symbol and id — is told by one compare a byte; only other text is read
    /// again for the C2 pairs.
    public static func isIdentifier(_ text: String, maxBytes: Int) -> Bool {
        guard text.utf8.count <= maxBytes else { return false }
        var text = text
        return text.withUTF8 { bytes in
            var printable = true
            for byte in bytes where byte &- 0x20 >= 0x5F {
                printable = false
                break
            }
            if printable { return true }
            var afterC2 = false
            for byte in bytes {
                if byte < 0x20 || byte == 0x7F || (afterC2 && byte >= 0x80 && byte <= 0x9F) { return false }
                afterC2 = byte == 0xC2
            }
            return true
        }
    }

    /// Reads typed fields, collecting problems.
    struct Reader<Values: RecordFieldValues> {
        let values: Values
        var problems: [FieldProblem] = []

        mutating func text(_ field: RecordField, required: Bool) -> String? { checkedText(field, required: required)?.text }

        /// A text field, and whether it is printable ASCII (so an identifier needs no second look).
        mutating func checkedText(_ field: RecordField, required: Bool) -> (text: String, printable: Bool)? {
            switch values.value(field) {
            case .string(let text)? where !text.isEmpty:
                switch RecordBuilder.classify(text) {
                case .printableASCII: return (text, true)
                case .other: return (text, false)
                case .containsNUL:
                    problems.append(FieldProblem(field.rawValue, "must not contain NUL (U+0000)"))
                    return nil
                }
            // A JSON number's text is digits, a sign, a point and an exponent.
            case .number(let text)?: return (text, true)
            case nil, .null?, .string?:
                if required { problems.append(FieldProblem(field.rawValue, "is required")) }
                return nil
            default:
                problems.append(FieldProblem(field.rawValue, "must be text"))
                return nil
            }
        }

        /// Text that becomes part of a record's identity: no control characters, bounded length.
        mutating func identifier(_ field: RecordField, required: Bool, maxBytes: Int = RecordBuilder.maxIdentifierBytes) -> String? {
            guard let (text, printable) = checkedText(field, required: required) else { return nil }
            let length = text.utf8.count
            guard length <= maxBytes, printable || RecordBuilder.isIdentifier(text, maxBytes: maxBytes) else {
                problems.append(
                    FieldProblem(
                        field.rawValue,
                        length > maxBytes
                            ? "must be at most \(maxBytes) bytes of UTF-8; got \(length)"
                            : "must not contain control characters (U+0000–U+001F, U+007F–U+009F)"))
                return nil
            }
            return text
        }

        /// A decimal that the record model forbids below zero (a size, a volume, a balance).
        mutating func amount(_ field: RecordField, required: Bool = false) -> ExactDecimal? {
            guard let value = decimal(field, required: required) else { return nil }
            guard !value.isNegative else {
                problems.append(FieldProblem(field.rawValue, "must not be negative; got \(value)"))
                return nil
            }
            return value
        }

        mutating func decimal(_ field: RecordField, required: Bool = false) -> ExactDecimal? {
            guard let text = text(field, required: required) else { return nil }
            do { return try ExactDecimal(parsing: text) } catch {
                problems.append(FieldProblem(field.rawValue, "must be an exact decimal number; got '\(text.prefix(40))'"))
                return nil
            }
        }

        mutating func integer(_ field: RecordField, nonNegative: Bool = false) -> Int64? {
            guard let text = text(field, required: false) else { return nil }
            guard let value = Int64(text) else { problems.append(FieldProblem(field.rawValue, "must be a whole number; got '\(text.prefix(40))'")); return nil }
            guard !nonNegative || value >= 0 else { problems.append(FieldProblem(field.rawValue, "must not be negative; got \(value)")); return nil }
            return value
        }

        mutating func time(_ field: RecordField, required: Bool) -> UTCTimestamp? {
            guard let text = text(field, required: required) else { return nil }
            if let time = TimeText.parse(text) { return time }
            problems.append(
                FieldProblem(
                    field.rawValue,
                    "must be an RFC 3339 time (2024-01-02T03:04:05Z) or epoch seconds/ms/µs/ns within \(UTCTimestamp.supportedRangeText); got '\(text.prefix(40))'"
                ))
            return nil
        }

        mutating func levels(_ field: RecordField) -> [Book.Level]? {
            guard case .array(let rows)? = values.value(field) else {
                problems.append(FieldProblem(field.rawValue, "is required: an array of [price, size] pairs, best first"))
                return nil
            }
            var levels: [Book.Level] = []
            for (index, row) in rows.enumerated() {
                guard case .array(let pair) = row, pair.count == 2, let price = pair[0].decimalValue, let size = pair[1].decimalValue else {
                    problems.append(FieldProblem("\(field.rawValue)[\(index)]", "must be [price, size] with exact decimals"))
                    return nil
                }
                guard !size.isNegative else {
                    problems.append(FieldProblem("\(field.rawValue)[\(index)]", "size must not be negative; got \(size)"))
                    return nil
                }
                levels.append(Book.Level(price: price, size: size))
            }
            return levels
        }
    }
}
