import TributaryCore

/// Renders records as an aligned text table, one table per record kind.
///
/// Columns are the record's JSON fields in their documented order, so the table and the
/// `--json` output always agree on names and values.
enum RecordTable {
    static let hiddenColumns: Set<String> = ["kind", "endpoint"]

    static func render(_ records: [Record]) -> String {
        guard !records.isEmpty else { return "(no records)\n" }
        var output = ""
        var kinds: [Record.Kind] = []
        for record in records where !kinds.contains(record.kind) { kinds.append(record.kind) }
        for kind in kinds {
            if !output.isEmpty { output += "\n" }
            output += table(records.filter { $0.kind == kind })
        }
        return output
    }

    private static func table(_ records: [Record]) -> String {
        var columns: [String] = []
        let rows = records.map { record -> [String: String] in
            var row: [String: String] = [:]
            for member in record.jsonObject().members where !hiddenColumns.contains(member.key) {
                if !columns.contains(member.key) { columns.append(member.key) }
                row[member.key] = cell(member.value)
            }
            return row
        }
        var widths = columns.map { $0.count }
        for row in rows {
            for (i, column) in columns.enumerated() { widths[i] = max(widths[i], row[column]?.count ?? 1) }
        }
        func line(_ cells: [String]) -> String {
            zip(cells, widths).map { $0.padding(toLength: $1) }.joined(separator: "  ").trimmingTrailingSpaces() + "\n"
        }
        var text = line(columns.map { $0.uppercased() })
        for row in rows { text += line(columns.map { row[$0] ?? "-" }) }
        return text
    }

    private static func cell(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): text
        case .number(let text): text
        case .null: "-"
        case .bool(let flag): String(flag)
        case .array, .object: JSONWriter.string(value)
        }
    }
}

extension String {
    fileprivate func padding(toLength length: Int) -> String {
        count >= length ? self : self + String(repeating: " ", count: length - count)
    }

    fileprivate func trimmingTrailingSpaces() -> String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}
