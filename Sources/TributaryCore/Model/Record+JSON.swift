extension Record {
    /// The record's JSON object without provenance, fields in the documented order.
    ///
    /// With `canonical` set, decimals are written in normalized form (`4.000002` for
    /// `4.00000200`) so that a formatting change upstream does not change the content hash.
    public func jsonObject(canonical: Bool = false) -> JSONObject {
        var fields = FieldList(canonical: canonical)
        fields.add("kind", .string(kind.rawValue))
        fields.add("source", .string(source.rawValue))
        fields.add("endpoint", .string(endpoint))
        fields.add("symbol", .string(symbol))
        fields.add("venue_symbol", .string(venueSymbol))
        switch payload {
        case .quote(let q):
            fields.add("as_of", q.asOf)
            fields.add("last", q.last)
            fields.add("bid", q.bid)
            fields.add("ask", q.ask)
            fields.add("bid_size", q.bidSize)
            fields.add("ask_size", q.askSize)
            fields.add("open", q.open)
            fields.add("high", q.high)
            fields.add("low", q.low)
            fields.add("volume", q.volume)
            fields.add("quote_volume", q.quoteVolume)
            fields.add("change", q.change)
            fields.add("change_percent", q.changePercent)
            fields.add("currency", q.currency.map(JSONValue.string))
        case .bar(let b):
            fields.add("interval", .string(b.interval))
            fields.add("start", b.start)
            fields.add("open", b.open)
            fields.add("high", b.high)
            fields.add("low", b.low)
            fields.add("close", b.close)
            fields.add("volume", b.volume)
            fields.add("trades", b.trades.map { JSONValue.number(String($0)) })
            fields.add("vwap", b.vwap)
        case .trade(let t):
            fields.add("trade_id", .string(t.tradeID))
            fields.add("time", t.time)
            fields.add("price", t.price)
            fields.add("size", t.size)
            fields.add("side", t.side.map { JSONValue.string($0.rawValue) })
        case .book(let b):
            fields.add("as_of", b.asOf)
            fields.add("bids", .array(b.bids.map { fields.level($0) }))
            fields.add("asks", .array(b.asks.map { fields.level($0) }))
        case .news(let n):
            fields.add("id", .string(n.id))
            fields.add("headline", .string(n.headline))
            fields.add("summary", n.summary.map(JSONValue.string))
            fields.add("url", .string(n.url))
            fields.add("publisher", n.publisher.map(JSONValue.string))
            fields.add("published_at", n.publishedAt)
            fields.add("symbols", .array(n.symbols.map(JSONValue.string)))
            fields.add("sentiment", n.sentiment)
        case .observation(let o):
            fields.add("series", .string(o.series))
            fields.add("date", .string(o.date))
            fields.add("value", o.value.map { fields.decimal($0) } ?? .null, keepNull: true)
        case .balance(let b):
            fields.add("asset", .string(b.asset))
            fields.add("free", b.free)
            fields.add("locked", b.locked)
        }
        return JSONObject(fields.members)
    }
}

/// Builds a record's members, leaving out absent optionals.
private struct FieldList {
    let canonical: Bool
    var members: [(key: String, value: JSONValue)] = []

    init(canonical: Bool) {
        self.canonical = canonical
        members.reserveCapacity(20)
    }

    func decimal(_ value: ExactDecimal) -> JSONValue {
        .string(canonical ? value.normalized.description : value.description)
    }

    func level(_ level: Book.Level) -> JSONValue {
        .array([decimal(level.price), decimal(level.size)])
    }

    mutating func add(_ key: String, _ value: JSONValue?, keepNull: Bool = false) {
        if let value { members.append((key, value)) } else if keepNull { members.append((key, .null)) }
    }

    mutating func add(_ key: String, _ value: ExactDecimal?) {
        if let value { members.append((key, decimal(value))) }
    }

    mutating func add(_ key: String, _ value: UTCTimestamp) {
        members.append((key, .string(value.rfc3339)))
    }
}
