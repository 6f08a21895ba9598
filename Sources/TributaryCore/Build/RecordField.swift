/// A field of the record model, by the name events and rules use (`as_of`, `trade_id`, …).
///
/// ``RecordBuilder`` reads fields by this enum rather than by `String`, so a row whose columns
/// were mapped to fields once per file (``RecordFieldSlots``) is read by array index, and a
/// pushed event's dictionary by its name — through the same builder, with the same checks.
public enum RecordField: String, CaseIterable, Sendable {
    // Every kind.
    case kind, symbol, source, endpoint
    case venueSymbol = "venue_symbol"
    // Quotes (and bars share open, high, low, volume).
    case asOf = "as_of"
    case last, bid, ask
    case bidSize = "bid_size"
    case askSize = "ask_size"
    case open, high, low, volume
    case quoteVolume = "quote_volume"
    case change
    case changePercent = "change_percent"
    case currency
    // Bars.
    case interval, start, close, trades, vwap
    // Trades.
    case tradeID = "trade_id"
    case time, price, size, side
    // Books.
    case bids, asks
    // News.
    case id, headline, summary, url, publisher
    case publishedAt = "published_at"
    case symbols, sentiment
    // Observations.
    case series, date, value
    // Balances.
    case asset, free, locked

    /// Its position in ``allCases`` (a slot index, and a bit in a ``Mask``): the enum's own
    /// one-byte tag, which Swift numbers in declaration order for an enum without payloads
    /// (a test holds it to `allCases`), so reading a field costs no hashing.
    @inline(__always) public var index: Int { Int(unsafeBitCast(self, to: UInt8.self)) }

    /// The field with this name: only the few names of its length are compared, and nothing is
    /// hashed. Events and rules look a field up by name for every member of every row
    /// (`init(rawValue:)` compares the name with each case in turn; a dictionary hashed the
    /// whole name first: 2.7 % of a process taking NDJSON pushes, now 0.4 %). `==`, not a
    /// `memcmp` of the bytes: field names fit Swift's inline small strings, which `==` compares
    /// as two words without copying them out (a `memcmp` version cost 3× the dictionary).
    public static func named(_ name: String) -> RecordField? {
        let length = name.utf8.count
        guard length < byLength.count else { return nil }
        for (candidate, field) in byLength[length] where candidate == name { return field }
        return nil
    }

    /// Every field's name and field, by the name's length in bytes.
    private static let byLength: [[(name: String, field: RecordField)]] = {
        var table = Array(repeating: [(name: String, field: RecordField)](), count: allCases.map(\.rawValue.utf8.count).max()! + 1)
        for field in allCases { table[field.rawValue.utf8.count].append((field.rawValue, field)) }
        return table
    }()

    /// A set of fields as one bit each (there are fewer than 64).
    public struct Mask: Sendable, Hashable {
        public var bits: UInt64
        public init(bits: UInt64 = 0) { self.bits = bits }
        public init(_ fields: some Sequence<RecordField>) { bits = fields.reduce(0) { $0 | 1 << UInt64($1.index) } }
        public func contains(_ field: RecordField) -> Bool { bits & 1 << UInt64(field.index) != 0 }
    }

    /// The fields a record of `kind` may have (the common ones and its own). Asked once per
    /// record built: a switch over the kinds, not a dictionary lookup that hashes the kind.
    public static func known(for kind: Record.Kind) -> Mask {
        let masks = knownMasks
        return switch kind {
        case .quote: masks.0
        case .bar: masks.1
        case .trade: masks.2
        case .book: masks.3
        case .news: masks.4
        case .observation: masks.5
        case .balance: masks.6
        }
    }

    private static let knownMasks: (Mask, Mask, Mask, Mask, Mask, Mask, Mask) = {
        func mask(_ kind: Record.Kind) -> Mask {
            Mask((RecordBuilder.common + (RecordBuilder.fields[kind] ?? [])).compactMap(RecordField.init(rawValue:)))
        }
        return (mask(.quote), mask(.bar), mask(.trade), mask(.book), mask(.news), mask(.observation), mask(.balance))
    }()
}

/// Field values a ``RecordBuilder`` reads: a pushed event's members by name, or an imported
/// row's cells already placed by field (``RecordFieldSlots``).
public protocol RecordFieldValues {
    func value(_ field: RecordField) -> JSONValue?
    /// The names present that a record of this kind does not have, sorted (each is a problem).
    func unknownNames(known: RecordField.Mask) -> [String]
}

/// Field values the normalization rules rewrite by name (defaults, symbols, scale, time zone).
public protocol RecordFieldContainer: RecordFieldValues {
    func value(named name: String) -> JSONValue?
    mutating func set(_ value: JSONValue, named name: String)
    /// Sets a field the caller already resolved (no lookup by name).
    mutating func set(_ value: JSONValue, _ field: RecordField)
}

extension Dictionary: RecordFieldValues where Key == String, Value == JSONValue {
    public func value(_ field: RecordField) -> JSONValue? { self[field.rawValue] }

    public func unknownNames(known: RecordField.Mask) -> [String] {
        keys.filter { name in RecordField.named(name).map { !known.contains($0) } ?? true }.sorted()
    }
}

extension Dictionary: RecordFieldContainer where Key == String, Value == JSONValue {
    public func value(named name: String) -> JSONValue? { self[name] }
    public mutating func set(_ value: JSONValue, named name: String) { self[name] = value }
    public mutating func set(_ value: JSONValue, _ field: RecordField) { self[field.rawValue] = value }
}
