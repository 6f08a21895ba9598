import TributaryCore

/// Reads Finnhub's candles: parallel arrays `t`, `o`, `h`, `l`, `c`, `v` and a status `s`.
enum FinnhubCandles {
    static func records(_ json: JSONValue, source: SourceID, symbol: String, interval: String) throws(ConnectorError) -> [Record] {
        let fields = FieldReader(json: json, source: source, context: "candles")
        let status = try fields.string("s")
        if status == "no_data" { return [] }
        guard status == "ok" else { throw ConnectorError(.upstream(status: 200), source: source, "candles: status '\(status)'") }
        func column(_ key: String) throws(ConnectorError) -> [JSONValue] {
            guard case .array(let values) = try fields.value(key) else {
                throw ConnectorError(.decode, source: source, "candles: field '\(key)' is not an array")
            }
            return values
        }
        let times = try column("t"), opens = try column("o"), highs = try column("h"), lows = try column("l"), closes = try column("c"),
            volumes = try column("v")
        guard [opens, highs, lows, closes, volumes].allSatisfy({ $0.count == times.count }) else {
            throw ConnectorError(.decode, source: source, "candles: the t/o/h/l/c/v arrays differ in length")
        }
        return try times.indices.map { (i) throws(ConnectorError) in
            guard let time = times[i].int64Value, let open = opens[i].decimalValue, let high = highs[i].decimalValue, let low = lows[i].decimalValue,
                let close = closes[i].decimalValue
            else { throw ConnectorError(.decode, source: source, "candles: row \(i) has a missing or non-numeric value") }
            let bar = Bar(
                interval: interval, start: try ConnectorSupport.time(time, .seconds, at: "candles: t[\(i)]", source: source), open: open, high: high, low: low,
                close: close, volume: volumes[i].decimalValue)
            return Record(source: source, endpoint: "candles", symbol: symbol, venueSymbol: symbol, payload: .bar(bar))
        }
    }
}
