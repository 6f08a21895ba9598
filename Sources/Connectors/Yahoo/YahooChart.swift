import TributaryCore

/// Reads `/v8/finance/chart`: `result[0].timestamp[]` parallel to `indicators.quote[0].{open,high,low,close,volume}`.
enum YahooChart {
    static func records(_ json: JSONValue, source: SourceID, interval: String) throws(ConnectorError) -> [Record] {
        guard let result = json["chart"]?["result"]?[0] else { throw ConnectorError(.decode, source: source, "chart: no chart.result[0]") }
        let symbol = result["meta"]?["symbol"]?.stringValue ?? ""
        guard let times = result["timestamp"]?.arrayValue else { return [] }  // e.g. a weekend: no bars
        guard let columns = result["indicators"]?["quote"]?[0] else { throw ConnectorError(.decode, source: source, "chart: no indicators.quote[0]") }
        func column(_ name: String) throws(ConnectorError) -> [JSONValue] {
            guard let values = columns[name]?.arrayValue, values.count == times.count else {
                throw ConnectorError(.decode, source: source, "chart: indicators.quote[0].\(name) is missing or not parallel to timestamp")
            }
            return values
        }
        let open = try column("open"), high = try column("high"), low = try column("low"), close = try column("close")
        let volume = columns["volume"]?.arrayValue
        var records: [Record] = []
        for i in times.indices {
            guard let time = times[i].int64Value else { throw ConnectorError(.decode, source: source, "chart: timestamp[\(i)] is not an integer") }
            // A null row is an interval without trades: no bar, not a bar of zeros.
            guard let o = open[i].decimalValue, let h = high[i].decimalValue, let l = low[i].decimalValue, let c = close[i].decimalValue else { continue }
            let bar = Bar(
                interval: interval, start: try ConnectorSupport.time(time, .seconds, at: "chart: timestamp[\(i)]", source: source), open: o, high: h, low: l,
                close: c, volume: volume?[i].decimalValue)
            records.append(Record(source: source, endpoint: "chart", symbol: symbol, venueSymbol: symbol, payload: .bar(bar)))
        }
        return records
    }
}
