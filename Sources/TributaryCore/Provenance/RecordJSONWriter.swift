/// Writes a record's JSON straight to bytes, in one of two forms:
///
/// - canonical (keys sorted by their bytes, decimals normalized, no whitespace), for the content
///   hash: equal, byte for byte, to `JSONWriter.encode(.object(record.jsonObject(canonical: true)), canonical: true)`;
/// - document (the documented field order, decimals as they came), for JSON Lines, exports and
///   the bus: equal to `JSONWriter.encode(.object(record.jsonObject()))`.
///
/// Tests hold each form to its tree. No intermediate tree and no `String` is built: hashing runs
/// once per record on the ingestion hot path, and encoding once per record published to the bus.
struct RecordJSONWriter {
    enum Form { case canonical, document }
    private struct Member {
        let key: StaticString
        /// The key's place in byte order among every key a record has (sorting compares these).
        let rank: UInt64
        let start: Int
        let end: Int
    }

    /// Canonical form: values written so far, back to back; members point into it. Document
    /// form: the members themselves (`"key":value`, comma-separated), in order.
    private var scratch: [UInt8] = []
    private var members: [Member] = []
    private var documentMembers = 0
    private var out: [UInt8] = []
    let form: Form

    init(form: Form = .canonical, reservingCapacity: Bool = true) {
        self.form = form
        guard reservingCapacity else { return }
        scratch.reserveCapacity(512)
        if form == .canonical { members.reserveCapacity(24) }
    }

    static func bytes(of record: Record, form: Form = .canonical) -> [UInt8] {
        var writer = RecordJSONWriter(form: form)
        writer.add(record)
        return writer.withBytes { Array($0) }
    }

    /// Appends the record's members in document form (no braces) to `bytes`, written in place:
    /// no buffer of the writer's own is allocated.
    static func appendDocumentMembers(of record: Record, to bytes: inout [UInt8]) {
        var writer = RecordJSONWriter(form: .document, reservingCapacity: false)
        swap(&writer.scratch, &bytes)
        writer.add(record)
        swap(&writer.scratch, &bytes)
    }

    /// Forgets the last record, keeping the buffers' capacity.
    mutating func reset() {
        scratch.removeAll(keepingCapacity: true)
        members.removeAll(keepingCapacity: true)
        documentMembers = 0
    }

    /// The key's first eight bytes as a big-endian integer: comparing these is comparing the
    /// keys by their bytes, except for keys that share eight leading bytes (`published_at`,
    /// `publisher`), which the sort then compares in full.
    private static func rank(_ key: StaticString) -> UInt64 {
        var rank: UInt64 = 0
        let count = key.utf8CodeUnitCount
        for i in 0..<8 { rank = rank << 8 | UInt64(i < count ? key.utf8Start[i] : 0) }
        return rank
    }

    private static func precedes(_ a: Member, _ b: Member) -> Bool {
        if a.rank != b.rank { return a.rank < b.rank }
        let n = min(a.key.utf8CodeUnitCount, b.key.utf8CodeUnitCount)
        let order = memcmp(a.key.utf8Start, b.key.utf8Start, n)
        return order != 0 ? order < 0 : a.key.utf8CodeUnitCount < b.key.utf8CodeUnitCount
    }

    mutating func add(_ record: Record) {
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
            if let trades = b.trades { raw("trades") { $0.append(contentsOf: String(trades).utf8) } }
            decimal("vwap", b.vwap)
        case .trade(let t):
            string("trade_id", t.tradeID)
            time("time", t.time)
            decimal("price", t.price)
            decimal("size", t.size)
            if let side = t.side { string("side", side.rawValue) }
        case .book(let b):
            raw("as_of") { $0.writeTime(b.asOf) }
            let normalized = form == .canonical
            raw("bids") { $0.writeLevels(b.bids, normalized: normalized) }
            raw("asks") { $0.writeLevels(b.asks, normalized: normalized) }
        case .news(let n):
            string("id", n.id)
            string("headline", n.headline)
            if let summary = n.summary { string("summary", summary) }
            string("url", n.url)
            if let publisher = n.publisher { string("publisher", publisher) }
            time("published_at", n.publishedAt)
            raw("symbols") { bytes in
                bytes.append(UInt8(ascii: "["))
                for (i, symbol) in n.symbols.enumerated() {
                    if i > 0 { bytes.append(UInt8(ascii: ",")) }
                    bytes.writeJSONString(symbol)
                }
                bytes.append(UInt8(ascii: "]"))
            }
            decimal("sentiment", n.sentiment)
        case .observation(let o):
            string("series", o.series)
            string("date", o.date)
            if let value = o.value { decimal("value", value) } else { raw("value") { $0.append(contentsOf: "null".utf8) } }
        case .balance(let b):
            string("asset", b.asset)
            decimal("free", b.free)
            decimal("locked", b.locked)
        }
    }

    private mutating func raw(_ key: StaticString, _ write: (inout [UInt8]) -> Void) {
        if form == .document {
            if documentMembers > 0 { scratch.append(UInt8(ascii: ",")) }
            scratch.append(UInt8(ascii: "\""))
            scratch.append(contentsOf: UnsafeBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount))
            scratch.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
            write(&scratch)
            documentMembers += 1
            return
        }
        let start = scratch.count
        write(&scratch)
        members.append(Member(key: key, rank: Self.rank(key), start: start, end: scratch.count))
    }

    private mutating func string(_ key: StaticString, _ value: String) {
        raw(key) { $0.writeJSONString(value) }
    }

    private mutating func decimal(_ key: StaticString, _ value: ExactDecimal?) {
        guard let value else { return }
        let normalized = form == .canonical
        raw(key) { $0.writeDecimal(value, normalized: normalized) }
    }

    private mutating func time(_ key: StaticString, _ value: UTCTimestamp) {
        raw(key) { $0.writeTime(value) }
    }

    /// The JSON object of the record added (canonical: members in key byte order), in a buffer
    /// kept for the next.
    mutating func withBytes<T>(_ body: ([UInt8]) -> T) -> T {
        var bytes: [UInt8] = []
        swap(&bytes, &out)
        bytes.removeAll(keepingCapacity: true)
        bytes.append(UInt8(ascii: "{"))
        writeMembers(into: &bytes)
        bytes.append(UInt8(ascii: "}"))
        swap(&bytes, &out)
        return body(out)
    }

    /// Appends the record's members, comma-separated and without braces, to `bytes` (an
    /// envelope writes its `provenance` after them in the same object).
    mutating func writeMembers(into bytes: inout [UInt8]) {
        guard form == .canonical else {
            bytes.append(contentsOf: scratch)
            return
        }
        sortMembers()
        bytes.reserveCapacity(bytes.count + scratch.count + members.count * 16)
        for (i, member) in members.enumerated() {
            if i > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes.append(UInt8(ascii: "\""))
            bytes.append(contentsOf: UnsafeBufferPointer(start: member.key.utf8Start, count: member.key.utf8CodeUnitCount))
            bytes.append(UInt8(ascii: "\""))
            bytes.append(UInt8(ascii: ":"))
            bytes.append(contentsOf: scratch[member.start..<member.end])
        }
    }

    private mutating func sortMembers() {
        // Insertion sort: a record has at most about twenty members.
        for i in 1..<max(1, members.count) {
            let member = members[i]
            var j = i - 1
            while j >= 0, Self.precedes(member, members[j]) {
                members[j + 1] = members[j]
                j -= 1
            }
            members[j + 1] = member
        }
    }
}

extension [UInt8] {
    /// A JSON string literal, escaped as `JSONWriter` escapes it.
    mutating func writeJSONString(_ text: String) {
        var writer = JSONWriter(sortsKeys: false, reservingCapacity: 0)
        swap(&writer.bytes, &self)
        writer.writeString(text)
        swap(&writer.bytes, &self)
    }

    mutating func writeTime(_ time: UTCTimestamp) {
        append(UInt8(ascii: "\""))
        time.writeRFC3339(into: &self)
        append(UInt8(ascii: "\""))
    }

    /// A decimal as a JSON string (`"1.50"`, or `"1.5"` normalized), as records carry decimals.
    mutating func writeDecimal(_ value: ExactDecimal, normalized: Bool) {
        append(UInt8(ascii: "\""))
        if normalized { value.normalized.write(into: &self) } else { value.write(into: &self) }
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

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
