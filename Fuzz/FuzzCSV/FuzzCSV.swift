import Engine
import TributaryCore

/// `CSVReader`, schema inference and every row through the rules and the record model (what
/// `tributary import` does per row), on arbitrary bytes: records or located problems, never a trap.
let rules: NormalizationRules = {
    var rules = NormalizationRules()
    rules.rename = ["px": "price", "qty": "size", "ts": "time", "id": "trade_id", "ticker": "symbol"]
    rules.defaults = ["kind": "trade"]
    rules.scale = ["px": -2]
    rules.timezone = "America/New_York"
    return rules
}()
let builder = RecordBuilder(source: "fuzz", defaultEndpoint: "import")

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSV(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    var reader = CSVReader(bytes: Array(UnsafeBufferPointer(start: start, count: count)), firstLine: 1)
    var rows: [[String]] = []
    while let item = try? reader.next() {
        if case .row(let row) = item { rows.append(row.fields) }
        if rows.count > 200 { break }
    }
    guard let header = rows.first else { return 0 }
    let sample = Array(rows.dropFirst())
    let schema = CSVSchema.infer(header: header, sample: sample)
    for row in sample where row.count == header.count {
        var fields: [String: JSONValue] = [:]
        var bad = false
        for (index, value) in row.enumerated() {
            if schema.problem(value, column: index) != nil { bad = true }
            if !value.isEmpty { fields[header[index]] = .string(value) }
        }
        if bad { continue }
        for mapped in [fields, (try? rules.apply(fields).get()) ?? [:]] {
            if case .success(let record) = builder.build(mapped) { _ = ContentHash.of(record) }
        }
        _ = rules.naturalKey(of: fields)
    }
    return 0
}
