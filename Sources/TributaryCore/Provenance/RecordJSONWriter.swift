/// Writes a record's JSON straight to bytes, in one of two forms:
///
/// - canonical (keys sorted by their bytes, decimals normalized, no whitespace), for the content
///   hash: equal, byte for byte, to `JSONWriter.encode(.object(record.jsonObject(canonical: true)), canonical: true)`;
/// - document (the documented field order, decimals as they came), for JSON Lines, exports and
///   the bus: equal to `JSONWriter.encode(.object(record.jsonObject()))`.
///
/// Tests hold each form to its tree. No intermediate tree and no `String` is built: hashing runs
/// once per record on the ingestion hot path, and encoding once per record published to the bus.
/// A kind's keys are fixed, so the canonical form lists each kind's members already in key byte
/// order (`addCanonical`) and writes them in one pass: nothing is sorted or copied per record.
struct RecordJSONWriter<Output: ByteOutput> {
    enum Form { case canonical, document }

    /// Where the members (`"key":value`, comma-separated) are written.
    var output: Output
    private var members = 0
    /// The date last written, reused while records share their day.
    private var dates = RFC3339Dates()
    #if DEBUG
        /// The previous canonical key: debug builds check each kind's list is in byte order.
        private var previousKey: StaticString?
    #endif
    let form: Form

    init(form: Form, output: Output) {
        self.form = form
        self.output = output
    }

    mutating func add(_ record: Record) {
        if form == .canonical { addCanonical(record) } else { addDocument(record) }
    }

    /// The members in the documented order.
    private mutating func addDocument(_ record: Record) {
        string("kind", record.kind.rawValue)
        string("source", record.source.rawValue)
        string("endpoint", record.endpoint)
        string("symbol", record.symbol)
        string("venue_symbol", record.venueSymbol)
        switch record.payload {
        case .quote(let q):
            time("as_of", q.asOf)
            decimal("last", q.last)
            decimal("bid", q.bid)
            decimal("ask", q.ask)
            decimal("bid_size", q.bidSize)
            decimal("ask_size", q.askSize)
            decimal("open", q.open)
            decimal("high", q.high)
            decimal("low", q.low)
            decimal("volume", q.volume)
            decimal("quote_volume", q.quoteVolume)
            decimal("change", q.change)
            decimal("change_percent", q.changePercent)
            if let currency = q.currency { string("currency", currency) }
        case .bar(let b):
            string("interval", b.interval)
            time("start", b.start)
            decimal("open", b.open)
            decimal("high", b.high)
            decimal("low", b.low)
            decimal("close", b.close)
            decimal("volume", b.volume)
            trades(b.trades)
            decimal("vwap", b.vwap)
        case .trade(let t):
            string("trade_id", t.tradeID)
            time("time", t.time)
            decimal("price", t.price)
            decimal("size", t.size)
            if let side = t.side { string("side", side.rawValue) }
        case .book(let b):
            time("as_of", b.asOf)
            levels("bids", b.bids)
            levels("asks", b.asks)
        case .news(let n):
            string("id", n.id)
            string("headline", n.headline)
            if let summary = n.summary { string("summary", summary) }
            string("url", n.url)
            if let publisher = n.publisher { string("publisher", publisher) }
            time("published_at", n.publishedAt)
            symbols(n.symbols)
            decimal("sentiment", n.sentiment)
        case .observation(let o):
            string("series", o.series)
            string("date", o.date)
            value(o.value)
        case .balance(let b):
            string("asset", b.asset)
            decimal("free", b.free)
            decimal("locked", b.locked)
        }
    }

    /// The same members as ``addDocument(_:)``, each kind's in key byte order (`as_of` <
    /// `asks`, `published_at` < `publisher`, `symbol` < `symbols`, …).
    private mutating func addCanonical(_ record: Record) {
        switch record.payload {
        case .quote(let q):
            time("as_of", q.asOf)
            decimal("ask", q.ask)
            decimal("ask_size", q.askSize)
            decimal("bid", q.bid)
            decimal("bid_size", q.bidSize)
            decimal("change", q.change)
            decimal("change_percent", q.changePercent)
            if let currency = q.currency { string("currency", currency) }
            string("endpoint", record.endpoint)
            decimal("high", q.high)
            string("kind", record.kind.rawValue)
            decimal("last", q.last)
            decimal("low", q.low)
            decimal("open", q.open)
            decimal("quote_volume", q.quoteVolume)
            string("source", record.source.rawValue)
            string("symbol", record.symbol)
            string("venue_symbol", record.venueSymbol)
            decimal("volume", q.volume)
        case .bar(let b):
            decimal("close", b.close)
            string("endpoint", record.endpoint)
            decimal("high", b.high)
            string("interval", b.interval)
            string("kind", record.kind.rawValue)
            decimal("low", b.low)
            decimal("open", b.open)
            string("source", record.source.rawValue)
            time("start", b.start)
            string("symbol", record.symbol)
            trades(b.trades)
            string("venue_symbol", record.venueSymbol)
            decimal("volume", b.volume)
            decimal("vwap", b.vwap)
        case .trade(let t):
            string("endpoint", record.endpoint)
            string("kind", record.kind.rawValue)
            decimal("price", t.price)
            if let side = t.side { string("side", side.rawValue) }
            decimal("size", t.size)
            string("source", record.source.rawValue)
            string("symbol", record.symbol)
            time("time", t.time)
            string("trade_id", t.tradeID)
            string("venue_symbol", record.venueSymbol)
        case .book(let b):
            time("as_of", b.asOf)
            levels("asks", b.asks)
            levels("bids", b.bids)
            string("endpoint", record.endpoint)
            string("kind", record.kind.rawValue)
            string("source", record.source.rawValue)
            string("symbol", record.symbol)
            string("venue_symbol", record.venueSymbol)
        case .news(let n):
            string("endpoint", record.endpoint)
            string("headline", n.headline)
            string("id", n.id)
            string("kind", record.kind.rawValue)
            time("published_at", n.publishedAt)
            if let publisher = n.publisher { string("publisher", publisher) }
            decimal("sentiment", n.sentiment)
            string("source", record.source.rawValue)
            if let summary = n.summary { string("summary", summary) }
            string("symbol", record.symbol)
            symbols(n.symbols)
            string("url", n.url)
            string("venue_symbol", record.venueSymbol)
        case .observation(let o):
            string("date", o.date)
            string("endpoint", record.endpoint)
            string("kind", record.kind.rawValue)
            string("series", o.series)
            string("source", record.source.rawValue)
            string("symbol", record.symbol)
            value(o.value)
            string("venue_symbol", record.venueSymbol)
        case .balance(let b):
            string("asset", b.asset)
            string("endpoint", record.endpoint)
            decimal("free", b.free)
            string("kind", record.kind.rawValue)
            decimal("locked", b.locked)
            string("source", record.source.rawValue)
            string("symbol", record.symbol)
            string("venue_symbol", record.venueSymbol)
        }
    }

    /// `,"key":` — the value follows.
    @inline(__always)
    private mutating func key(_ key: StaticString) {
        #if DEBUG
            if form == .canonical, let previous = previousKey {
                let order = memcmp(previous.utf8Start, key.utf8Start, min(previous.utf8CodeUnitCount, key.utf8CodeUnitCount))
                assert(order < 0 || (order == 0 && previous.utf8CodeUnitCount < key.utf8CodeUnitCount), "\(key) is out of canonical order")
            }
            previousKey = key
        #endif
        if members > 0 { output.append(UInt8(ascii: ",")) }
        output.append(UInt8(ascii: "\""))
        output.append(key)
        output.append(UInt8(ascii: "\""))
        output.append(UInt8(ascii: ":"))
        members += 1
    }

    private mutating func string(_ key: StaticString, _ value: String) {
        self.key(key)
        JSONWriter.writeString(value, to: &output)
    }

    private mutating func decimal(_ key: StaticString, _ value: ExactDecimal?) {
        guard let value else { return }
        self.key(key)
        output.writeDecimal(value, normalized: form == .canonical)
    }

    private mutating func time(_ key: StaticString, _ value: UTCTimestamp) {
        self.key(key)
        output.writeTime(value, dates: &dates)
    }

    private mutating func trades(_ trades: Int64?) {
        guard let trades else { return }
        key("trades")
        output.appendInteger(trades)
    }

    private mutating func levels(_ key: StaticString, _ levels: [Book.Level]) {
        self.key(key)
        output.writeLevels(levels, normalized: form == .canonical)
    }

    private mutating func symbols(_ symbols: [String]) {
        key("symbols")
        output.append(UInt8(ascii: "["))
        for (i, symbol) in symbols.enumerated() {
            if i > 0 { output.append(UInt8(ascii: ",")) }
            JSONWriter.writeString(symbol, to: &output)
        }
        output.append(UInt8(ascii: "]"))
    }

    private mutating func value(_ value: ExactDecimal?) {
        if let value {
            decimal("value", value)
        } else {
            key("value")
            output.append("null")
        }
    }
}

extension RecordJSONWriter where Output == PointerBytes {
    /// A canonical writer with a scratch buffer of its own, reused from record to record.
    init() { self.init(form: .canonical, output: PointerBytes(capacity: 512)) }

    /// Writes `{` + the record's canonical members + `}` over the previous record's bytes
    /// and hands them to `body` (valid only inside it).
    mutating func withCanonicalBytes<T>(of record: Record, _ body: (UnsafeBufferPointer<UInt8>) -> T) -> T {
        output.removeAll()
        members = 0
        #if DEBUG
            previousKey = nil
        #endif
        output.append(UInt8(ascii: "{"))
        add(record)
        output.append(UInt8(ascii: "}"))
        return body(output.bytes)
    }
}

extension RecordJSONWriter where Output == [UInt8] {
    /// The record's JSON object (braces included) in `form`.
    static func bytes(of record: Record, form: Form = .canonical) -> [UInt8] {
        var writer = RecordJSONWriter(form: form, output: [UInt8(ascii: "{")])
        writer.output.reserveCapacity(512)
        writer.add(record)
        writer.output.append(UInt8(ascii: "}"))
        return writer.output
    }

    /// Appends the record's members in document form (no braces) to `bytes`, written in place:
    /// no buffer of the writer's own is allocated.
    static func appendDocumentMembers(of record: Record, to bytes: inout [UInt8]) {
        var writer = RecordJSONWriter(form: .document, output: [])
        swap(&writer.output, &bytes)
        writer.add(record)
        swap(&writer.output, &bytes)
    }
}

extension ByteOutput {
    mutating func writeTime(_ time: UTCTimestamp) {
        var dates = RFC3339Dates()
        writeTime(time, dates: &dates)
    }

    /// A time as a JSON string, its date from `dates` when it is the day written last.
    mutating func writeTime(_ time: UTCTimestamp, dates: inout RFC3339Dates) {
        append(UInt8(ascii: "\""))
        time.writeRFC3339(to: &self, dates: &dates)
        append(UInt8(ascii: "\""))
    }

    /// A decimal as a JSON string (`"1.50"`, or `"1.5"` normalized), as records carry decimals.
    mutating func writeDecimal(_ value: ExactDecimal, normalized: Bool) {
        append(UInt8(ascii: "\""))
        value.write(to: &self, droppingTrailingZeros: normalized)
        append(UInt8(ascii: "\""))
    }

    mutating func writeLevels(_ levels: [Book.Level], normalized: Bool) {
        append(UInt8(ascii: "["))
        for (i, level) in levels.enumerated() {
            if i > 0 { append(UInt8(ascii: ",")) }
            append(UInt8(ascii: "["))
            writeDecimal(level.price, normalized: normalized)
            append(UInt8(ascii: ","))
            writeDecimal(level.size, normalized: normalized)
            append(UInt8(ascii: "]"))
        }
        append(UInt8(ascii: "]"))
    }
}

extension [UInt8] {
    /// A JSON string literal, escaped as `JSONWriter` escapes it.
    mutating func writeJSONString(_ text: String) { JSONWriter.writeString(text, to: &self) }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
