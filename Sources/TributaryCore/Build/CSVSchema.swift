import Foundation

/// The columns of a CSV file and their types: inferred from a sample, printed for the user,
/// pinnable with `--schema FILE`, and checked on every row so a value that does not fit is a
/// bad row named by line and column rather than a wrong record.
public struct CSVSchema: Sendable, Hashable {
    public enum ColumnType: String, Sendable, Hashable, CaseIterable {
        case integer, decimal, timestamp, date, boolean, string
    }

    public struct Column: Sendable, Hashable {
        public var name: String
        public var type: ColumnType
        public var nullable: Bool
        public init(name: String, type: ColumnType, nullable: Bool) {
            self.name = name
            self.type = type
            self.nullable = nullable
        }
    }

    public var columns: [Column]

    public init(columns: [Column]) {
        self.columns = columns
    }

    /// Infers each column's type from sample rows: the narrowest type every non-empty value
    /// fits (integer › decimal › string; timestamp, date, boolean › string). Integer columns
    /// whose name says time (`time`, `ts`, `timestamp`, `as_of`, `start`, `date`…) and whose
    /// values have 10, 13, 16 or 19 digits are epoch timestamps.
    public static func infer(header: [String], sample: [[String]]) -> CSVSchema {
        CSVSchema(
            columns: header.enumerated().map { index, name in
                var type: ColumnType?
                var nullable = false
                var epochLike = true
                for row in sample {
                    let value = index < row.count ? row[index] : ""
                    if value.isEmpty { nullable = true; continue }
                    let own = classify(value)
                    if own == .integer, ![10, 13, 16, 19].contains(value.count - (value.hasPrefix("-") ? 1 : 0)) { epochLike = false }
                    type = type.map { widen($0, own) } ?? own
                }
                var resolved = type ?? .string
                if resolved == .integer, epochLike, type != nil, looksLikeTime(name) { resolved = .timestamp }
                return Column(name: name, type: resolved, nullable: nullable || type == nil)
            })
    }

    static func looksLikeTime(_ name: String) -> Bool {
        let lower = name.lowercased()
        return ["time", "ts", "timestamp", "as_of", "asof", "start", "date", "datetime", "published_at"].contains(lower)
            || lower.hasSuffix("_time") || lower.hasSuffix("_ts") || lower.hasSuffix("_at")
    }

    /// The narrowest type of one value.
    public static func classify(_ value: String) -> ColumnType {
        let lower = value.lowercased()
        if lower == "true" || lower == "false" { return .boolean }
        if isShortInteger(value) { return .integer }
        if value.count == 10, isDate(value) { return .date }
        if (try? ExactDecimal(parsing: value)) != nil { return .decimal }
        if value.count >= 19, TimeText.parse(value) != nil { return .timestamp }
        return .string
    }

    static func widen(_ a: ColumnType, _ b: ColumnType) -> ColumnType {
        if a == b { return a }
        if Set([a, b]) == [.integer, .decimal] { return .decimal }
        if Set([a, b]) == [.date, .timestamp] { return .timestamp }
        return .string
    }

    static func isDate(_ value: String) -> Bool {
        let bytes = Array(value.utf8)
        guard bytes.count == 10, bytes[4] == 0x2D, bytes[7] == 0x2D else { return false }
        return UTCTimestamp(rfc3339: value + "T00:00:00Z") != nil
    }

    /// Why `value` does not fit column `index`, or nil when it does.
    public func problem(_ value: String, column index: Int) -> String? {
        guard index < columns.count else { return "an extra value beyond the \(columns.count) columns of the header" }
        let column = columns[index]
        if value.isEmpty { return column.nullable ? nil : "may not be empty (the schema says it is required)" }
        let fits: Bool
        switch column.type {
        case .string: fits = true
        case .integer: fits = Self.isShortInteger(value) || Int64(value) != nil
        case .decimal: fits = (try? ExactDecimal(parsing: value)) != nil
        case .timestamp: fits = TimeText.parse(value) != nil || TimeText.isNaive(value)
        case .date: fits = Self.isDate(value)
        case .boolean: fits = ["true", "false"].contains(value.lowercased())
        }
        return fits ? nil : "must be \(column.type.rawValue); '\(value.prefix(40))' is not"
    }

    /// Per column, whether the record builder parses every non-empty value of it exactly as
    /// the check would accept it: a decimal column placed in a decimal field, or a timestamp
    /// column in a time field, the only column placed there and not rescaled by the rules. A
    /// row need not parse such a value twice — the builder's parse stands for the check — as
    /// long as a row that fails anywhere is checked in full again, so that its problem is still
    /// reported as the check's, at the first column that does not fit.
    public func checkedByBuilder(_ placed: [NormalizationRules.ColumnField?], rules: NormalizationRules?) -> [Bool] {
        var placements: [RecordField: Int] = [:]
        for case .field(let field)? in placed { placements[field, default: 0] += 1 }
        let rescaled = Set((rules?.scale.keys).map { $0.map { rules?.rename[$0] ?? $0 } } ?? [])
        return columns.indices.map { index in
            guard index < placed.count, case .field(let field)? = placed[index], placements[field] == 1, !rescaled.contains(field.rawValue) else {
                return false
            }
            switch columns[index].type {
            case .decimal: return RecordBuilder.decimalFields.contains(field)
            case .timestamp: return RecordBuilder.timeFields.contains(field)
            default: return false
            }
        }
    }

    /// Up to 18 digits after an optional `-`: an `Int64` whatever the digits. What inference calls
    /// an integer, and what a cell of an integer column is checked against first, without the
    /// general parser (longer text goes to `Int64(_:)`).
    static func isShortInteger(_ value: String) -> Bool {
        var value = value
        return value.withUTF8 { bytes in
            var digits = bytes[...]
            if digits.first == UInt8(ascii: "-") { digits = digits.dropFirst() }
            guard !digits.isEmpty, digits.count <= 18 else { return false }
            for byte in digits where byte &- 0x30 > 9 { return false }
            return true
        }
    }

    /// The schema as YAML (what `import` prints, and what `--schema` reads back).
    public var yaml: String {
        "columns:\n" + columns.map { "  - { name: \(Self.quoted($0.name)), type: \($0.type.rawValue), nullable: \($0.nullable) }" }.joined(separator: "\n")
            + "\n"
    }

    static func quoted(_ name: String) -> String {
        let plain = !name.isEmpty && name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == "." }
        return plain ? name : "\"" + name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
