/// Reads back what ``Envelope/jsonLine`` wrote: the record's fields and its `provenance`.
///
/// This is the exact inverse of the writer, not a validator: it is used on Tributary's own
/// output (a dead-lettered record, a version-1 store's JSON rows), so it checks types and
/// required fields but not the record model's rules, which the record passed when it was made.
/// A problem names the field, so a row that cannot be read stays where it is with the reason.
extension Envelope {
    public struct ReadError: Error, Sendable, Hashable, CustomStringConvertible {
        public var field: String
        public var problem: String
        public var description: String { "stored record field '\(field)': \(problem)" }
    }

    public init(jsonLine: String) throws(ReadError) {
        let value: JSONValue
        do { value = try JSONParser.parse(Array(jsonLine.utf8)) } catch {
            throw ReadError(field: "-", problem: "\(error)")
        }
        guard case .object(let object) = value else { throw ReadError(field: "-", problem: "not a JSON object") }
        try self.init(jsonObject: object)
    }

    public init(jsonObject object: JSONObject) throws(ReadError) {
        let fields = StoredFields(object: object)
        guard case .object(let provenance)? = object["provenance"] else { throw ReadError(field: "provenance", problem: "missing") }
        self.init(record: try Record(stored: fields), provenance: try Provenance(stored: StoredFields(object: provenance)))
    }
}

extension Record {
    init(stored f: StoredFields) throws(Envelope.ReadError) {
        let kindText = try f.text("kind")
        guard let kind = Kind(rawValue: kindText) else { throw Envelope.ReadError(field: "kind", problem: "unknown kind '\(kindText)'") }
        let payload: Payload
        switch kind {
        case .quote:
            payload = .quote(
                Quote(
                    asOf: try f.time("as_of"), last: try f.decimal("last"), bid: try f.decimal("bid"), ask: try f.decimal("ask"),
                    bidSize: try f.decimal("bid_size"), askSize: try f.decimal("ask_size"), open: try f.decimal("open"), high: try f.decimal("high"),
                    low: try f.decimal("low"), volume: try f.decimal("volume"), quoteVolume: try f.decimal("quote_volume"), change: try f.decimal("change"),
                    changePercent: try f.decimal("change_percent"), currency: try f.optionalText("currency")))
        case .bar:
            payload = .bar(
                Bar(
                    interval: try f.text("interval"), start: try f.time("start"), open: try f.required("open"), high: try f.required("high"),
                    low: try f.required("low"), close: try f.required("close"), volume: try f.decimal("volume"), trades: try f.integer("trades"),
                    vwap: try f.decimal("vwap")))
        case .trade:
            var side: Trade.Side?
            if let text = try f.optionalText("side") {
                guard let known = Trade.Side(rawValue: text) else { throw Envelope.ReadError(field: "side", problem: "unknown side '\(text)'") }
                side = known
            }
            payload = .trade(
                Trade(tradeID: try f.text("trade_id"), time: try f.time("time"), price: try f.required("price"), size: try f.required("size"), side: side))
        case .book:
            payload = .book(Book(asOf: try f.time("as_of"), bids: try f.levels("bids"), asks: try f.levels("asks")))
        case .news:
            payload = .news(
                News(
                    id: try f.text("id"), headline: try f.text("headline"), summary: try f.optionalText("summary"), url: try f.text("url"),
                    publisher: try f.optionalText("publisher"), publishedAt: try f.time("published_at"), symbols: try f.texts("symbols"),
                    sentiment: try f.decimal("sentiment")))
        case .observation:
            payload = .observation(Observation(series: try f.text("series"), date: try f.text("date"), value: try f.decimal("value")))
        case .balance:
            payload = .balance(Balance(asset: try f.text("asset"), free: try f.required("free"), locked: try f.required("locked")))
        }
        self.init(
            source: SourceID(try f.text("source")), endpoint: try f.text("endpoint"), symbol: try f.text("symbol"),
            venueSymbol: try f.text("venue_symbol"), payload: payload)
    }
}

extension Provenance {
    init(stored f: StoredFields) throws(Envelope.ReadError) {
        let typeText = try f.text("source_type")
        guard let type = SourceType(rawValue: typeText) else { throw Envelope.ReadError(field: "source_type", problem: "unknown '\(typeText)'") }
        self.init(
            sourceID: SourceID(try f.text("source_id")), sourceType: type, sourceURI: try f.text("source_uri"), contentHash: try f.text("content_hash"),
            hashAlgorithm: try f.text("hash_algorithm"), ingestedAt: try f.time("ingested_at"), observedAt: try f.time("observed_at"),
            purpose: try f.text("purpose"), classification: try f.optionalText("classification"), parentID: try f.optionalText("parent_id"),
            transformations: try f.texts("transformations"), ingestedBy: try f.text("ingested_by"), batchID: try f.optionalText("batch_id"),
            requestID: try f.text("request_id"))
    }
}

/// Typed access to a stored JSON object's members, each failure naming its field.
struct StoredFields {
    let object: JSONObject

    func optionalText(_ key: String) throws(Envelope.ReadError) -> String? {
        switch object[key] {
        case nil, .null?: return nil
        case .string(let text)?: return text
        default: throw Envelope.ReadError(field: key, problem: "not text")
        }
    }

    func text(_ key: String) throws(Envelope.ReadError) -> String {
        guard let text = try optionalText(key) else { throw Envelope.ReadError(field: key, problem: "missing") }
        return text
    }

    func texts(_ key: String) throws(Envelope.ReadError) -> [String] {
        guard case .array(let items)? = object[key] else {
            if object[key] == nil { return [] }
            throw Envelope.ReadError(field: key, problem: "not a list")
        }
        var texts: [String] = []
        for item in items {
            guard case .string(let text) = item else { throw Envelope.ReadError(field: key, problem: "holds a value that is not text") }
            texts.append(text)
        }
        return texts
    }

    func decimal(_ key: String) throws(Envelope.ReadError) -> ExactDecimal? {
        switch object[key] {
        case nil, .null?: return nil
        case let value?:
            guard let decimal = value.decimalValue else { throw Envelope.ReadError(field: key, problem: "not an exact decimal") }
            return decimal
        }
    }

    func required(_ key: String) throws(Envelope.ReadError) -> ExactDecimal {
        guard let value = try decimal(key) else { throw Envelope.ReadError(field: key, problem: "missing") }
        return value
    }

    func integer(_ key: String) throws(Envelope.ReadError) -> Int64? {
        guard let value = object[key], !value.isNull else { return nil }
        guard let number = value.int64Value else { throw Envelope.ReadError(field: key, problem: "not a whole number") }
        return number
    }

    func time(_ key: String) throws(Envelope.ReadError) -> UTCTimestamp {
        let text = try text(key)
        guard let time = UTCTimestamp(rfc3339: text) else {
            throw Envelope.ReadError(field: key, problem: "'\(text.prefix(40))' is not an RFC 3339 time in range")
        }
        return time
    }

    func levels(_ key: String) throws(Envelope.ReadError) -> [Book.Level] {
        guard case .array(let rows)? = object[key] else { throw Envelope.ReadError(field: key, problem: "missing or not a list") }
        var levels: [Book.Level] = []
        levels.reserveCapacity(rows.count)
        for row in rows {
            guard case .array(let pair) = row, pair.count == 2, let price = pair[0].decimalValue, let size = pair[1].decimalValue else {
                throw Envelope.ReadError(field: key, problem: "a level is not [price, size]")
            }
            levels.append(Book.Level(price: price, size: size))
        }
        return levels
    }
}
