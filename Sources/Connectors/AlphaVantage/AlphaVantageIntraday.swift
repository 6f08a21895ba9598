import TributaryCore

/// Reads TIME_SERIES_INTRADAY bodies: JSON (bars keyed by local time under
/// `Time Series (5min)`, the zone in `Meta Data`) or CSV (`timestamp,open,high,low,close,volume`).
enum AlphaVantageIntraday {
    /// Alpha Vantage names US markets' zone `US/Eastern`, a legacy alias; use the canonical id.
    static func zone(_ name: String?) -> String {
        switch name {
        case nil, "US/Eastern": "America/New_York"
        case let other?: other
        }
    }

    static func fromJSON(_ json: JSONValue, source: SourceID, symbol: String, interval: String) throws(ConnectorError) -> [Record] {
        let zoneName = zone(json["Meta Data"]?["6. Time Zone"]?.stringValue)
        guard case .object(let body) = json, let series = body.members.first(where: { $0.key.hasPrefix("Time Series") })?.value,
            case .object(let rows) = series
        else { throw ConnectorError(.decode, source: source, "intraday: no 'Time Series (…)' object in the answer") }
        // Newest first in the body; records go oldest first.
        return try rows.members.reversed().map { (time, value) throws(ConnectorError) in
            let fields = FieldReader(json: value, source: source, context: "intraday[\(time)]")
            return try record(
                time: time, zone: zoneName, open: try fields.decimal("1. open"), high: try fields.decimal("2. high"), low: try fields.decimal("3. low"),
                close: try fields.decimal("4. close"), volume: try fields.optionalDecimal("5. volume"), source: source, symbol: symbol, interval: interval)
        }
    }

    static func fromCSV(_ text: String, source: SourceID, symbol: String, interval: String) throws(ConnectorError) -> [Record] {
        let lines = text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }).map(String.init).filter { !$0.isEmpty }
        guard lines.first == "timestamp,open,high,low,close,volume" else {
            throw ConnectorError(.decode, source: source, "intraday CSV: header is not timestamp,open,high,low,close,volume")
        }
        return try lines.dropFirst().enumerated().reversed().map { (index, line) throws(ConnectorError) in
            let cells = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard cells.count == 6 else {
                throw ConnectorError(.decode, source: source, "intraday CSV: line \(index + 2) has \(cells.count) fields, expected 6")
            }
            func decimal(_ i: Int, _ name: String) throws(ConnectorError) -> ExactDecimal {
                guard let value = try? ExactDecimal(parsing: cells[i]) else {
                    throw ConnectorError(
                        .decode, source: source, "intraday CSV: line \(index + 2) column '\(name)' is '\(cells[i].prefix(20))', expected a decimal")
                }
                return value
            }
            return try record(
                time: cells[0], zone: zone(nil), open: try decimal(1, "open"), high: try decimal(2, "high"), low: try decimal(3, "low"),
                close: try decimal(4, "close"), volume: try decimal(5, "volume"), source: source, symbol: symbol, interval: interval)
        }
    }

    private static func record(
        time: String, zone: String, open: ExactDecimal, high: ExactDecimal, low: ExactDecimal, close: ExactDecimal, volume: ExactDecimal?,
        source: SourceID, symbol: String, interval: String
    ) throws(ConnectorError) -> Record {
        guard let start = ExchangeTime.utc(fromLocal: time, zone: zone) else {
            throw ConnectorError(.decode, source: source, "intraday: time '\(time)' is not 'YYYY-MM-DD HH:MM:SS' in \(zone)")
        }
        let bar = Bar(interval: interval, start: start, open: open, high: high, low: low, close: close, volume: volume)
        return Record(source: source, endpoint: "intraday", symbol: symbol, venueSymbol: symbol, payload: .bar(bar))
    }
}
