import TributaryCore

/// An endpoint described entirely in a Sources.d file, for simple REST sources that need no
/// Swift code: where to send the request and how to map the answer's fields to a record.
///
/// ```yaml
/// connector: declarative
/// endpoints:
///   ticker:
///     path: /v1/ticker/{symbol}           # {symbol} is the --symbol as given
///     query: { currency: usd }
///     kind: quote                         # quote, bar or trade
///     records: data.items                 # where the record(s) are: an object or an array; "" = the root
///     symbol_field: pair                  # optional; else the requested symbol
///     time_field: ts                      # as-of (quote), start (bar), time (trade)
///     time_format: epoch_ms               # epoch_s, epoch_ms, epoch_us, epoch_ns, rfc3339, local:America/New_York
///     fields: { last: price, bid: bid, ask: ask, volume: vol }
/// ```
public struct DeclarativeEndpoint: Sendable, Hashable {
    public var path: String
    public var query: [String: String] = [:]
    public var kind: Record.Kind
    public var records: String = ""
    public var symbolField: String?
    public var timeField: String?
    public var timeFormat: String = "rfc3339"
    /// Bars: the interval to write (`1m`, `1d`, …).
    public var interval: String?
    /// Record field → JSON path inside each record.
    public var fields: [String: String] = [:]

    public static let kinds: [Record.Kind] = [.quote, .bar, .trade]
    public static let fieldsByKind: [Record.Kind: [String]] = [
        .quote: ["last", "bid", "ask", "bid_size", "ask_size", "open", "high", "low", "volume", "quote_volume", "change", "change_percent"],
        .bar: ["open", "high", "low", "close", "volume", "vwap", "trades"],
        .trade: ["trade_id", "price", "size", "side"],
    ]
    public static let timeFormats = ["epoch_s", "epoch_ms", "epoch_us", "epoch_ns", "rfc3339"]

    /// The one placeholder a path or a query value may hold; it is replaced by the symbol as given.
    public static let placeholder = "{symbol}"

    /// What is wrong with the placeholders of `text`, or nil: `{symbol}` is the only one; other
    /// spellings (`$symbol`, `${symbol}`, `{{symbol}}`, `:symbol`, `{ticker}`) would be sent to the
    /// provider literally, so they are refused when the file is checked, not found in its logs.
    public static func placeholderProblem(_ text: String) -> String? {
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{") {
            if rest[open...].hasPrefix("{{") { return "'{{…}}' is not a placeholder here and would be sent as written; the only placeholder is \(placeholder)" }
            guard let close = rest[open...].firstIndex(of: "}") else { return "'{' without a closing '}'; the only placeholder is \(placeholder)" }
            let name = rest[rest.index(after: open)..<close]
            guard name == "symbol" else { return "unknown placeholder '{\(name)}'; the only placeholder is \(placeholder)" }
            rest = rest[rest.index(after: close)...]
        }
        if rest.contains("}") { return "'}' without an opening '{'" }
        for literal in ["${", "$symbol", ":symbol", "%symbol%", "<symbol>"] where text.contains(literal) {
            return "'\(literal)' would be sent to the provider as written; the only placeholder is \(placeholder)"
        }
        return nil
    }

    public init(path: String, kind: Record.Kind) {
        self.path = path
        self.kind = kind
    }
}

/// Dotted paths with indexes (`data.items`, `result[0].last`) into a JSON value.
public enum JSONPath {
    public static func resolve(_ path: String, in value: JSONValue) -> JSONValue? {
        guard !path.isEmpty else { return value }
        var current = value
        for segment in path.split(separator: ".") {
            var name = Substring(segment)
            var indexes: [Int] = []
            while name.hasSuffix("]"), let open = name.lastIndex(of: "[") {
                guard let index = Int(name[name.index(after: open)..<name.index(before: name.endIndex)]) else { return nil }
                indexes.insert(index, at: 0)
                name = name[..<open]
            }
            if !name.isEmpty {
                guard let next = current[String(name)] else { return nil }
                current = next
            }
            for index in indexes {
                guard let next = current[index] else { return nil }
                current = next
            }
        }
        return current
    }
}
