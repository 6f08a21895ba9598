import Foundation

/// How foreign rows and events become record-model fields: the same rules for CSV rows and
/// pushed JSON events, from a rules file (`--rules`) or a source's Sources.d `rules:`.
///
/// Applied in this order: `keep` / `drop` columns, `rename` columns to record fields, fill
/// `defaults` (constants such as `kind: trade`), map `symbols`, `scale` decimals by powers of ten
/// (cents → units: `-2`), and read naive times (no offset) in `timezone`.
public struct NormalizationRules: Sendable, Hashable {
    public var keep: Set<String>?
    public var drop: Set<String> = []
    /// Column name → record field name.
    public var rename: [String: String] = [:]
    /// Field → constant value, used when the row has no value for it.
    public var defaults: [String: String] = [:] {
        didSet { defaultFills = defaults.map { DefaultFill(name: $0.key, field: RecordField.named($0.key), value: .string($0.value)) } }
    }
    /// ``defaults`` with each name resolved to its field once, not looked up by name on every row.
    private var defaultFills: [DefaultFill] = []
    /// Upstream symbol → canonical symbol.
    public var symbols: [String: String] = [:]
    /// Column or field → power of ten to multiply by (exactly; `-2` turns cents into units).
    public var scale: [String: Int] = [:]
    /// Fields whose values make a record's identity for dedup, instead of its kind's natural
    /// key (a trade's id, a bar's interval and start…): e.g. `[time, price, size]` for a feed
    /// without trade ids.
    public var key: [String]?
    /// IANA zone for times written without an offset (`2024-01-02 09:30:00`); nil: UTC.
    public var timezone: String?

    public init() {}

    /// The record fields that hold times.
    public static let timeFields: Set<String> = ["as_of", "time", "start", "published_at"]

    /// The identity from `key` for a row's (rewritten) fields; nil when no `key` is set.
    ///
    /// Values are joined with `|`; a `|` or a backslash inside a value is escaped with a backslash, so `a|b`,`c`
    /// and `a`,`b|c` stay two identities (values without either read as they always did).
    public func naturalKey(of fields: some RecordFieldContainer) -> String? {
        guard let key else { return nil }
        return key.map { name in
            let field = fields.value(named: name)
            let value = field?.stringValue ?? field?.decimalValue?.description ?? ""
            guard value.utf8.contains(where: { $0 == 0x7C || $0 == 0x5C }) else { return value }
            return value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "|", with: "\\|")
        }.joined(separator: "|")
    }

    /// Rewrites one row's fields; problems name the field and what went wrong.
    public func apply(_ row: [String: JSONValue]) -> Result<[String: JSONValue], InvalidRecord> {
        var fields: [String: JSONValue]
        if keep == nil, drop.isEmpty, rename.isEmpty {
            // Nothing to filter or rename (a rules file of only `kind: trade`, say): the row as it is.
            fields = row
        } else {
            fields = [:]
            fields.reserveCapacity(row.count + defaults.count)
            for (name, value) in row {
                if let target = target(ofColumn: name) { fields[target] = value }
            }
        }
        let problems = rewrite(&fields)
        return problems.isEmpty ? .success(fields) : .failure(InvalidRecord(problems: problems))
    }

    /// Which field each of a file's columns becomes under `keep`, `drop` and `rename` — worked
    /// out once per file, so a row's cells go straight to their fields (``RecordFieldSlots``).
    /// Nil for a column the rules leave out.
    public func columnFields(header: [String]) -> [ColumnField?] {
        header.map { name in
            target(ofColumn: name).map { target in RecordField.named(target).map(ColumnField.field) ?? .other(target) }
        }
    }

    /// The field name a column or member becomes under `keep`, `drop` and `rename`; nil when left out.
    func target(ofColumn name: String) -> String? {
        if let keep, !keep.contains(name) { return nil }
        if drop.contains(name) { return nil }
        return rename[name] ?? name
    }

    /// One default: its name, the record field it names (nil for a name the record model does
    /// not have, kept so the record is refused naming it), and its value.
    struct DefaultFill: Sendable, Hashable {
        var name: String
        var field: RecordField?
        var value: JSONValue
    }

    /// Where a column's value goes: a record field, or a name the record model does not have
    /// (kept, so the row is refused naming it).
    public enum ColumnField: Sendable, Hashable {
        case field(RecordField)
        case other(String)
    }

    /// The rules after the columns are placed — `defaults`, `symbols`, `scale`, `timezone` — on
    /// a pushed event's dictionary or an imported row's slots alike; the problems found.
    public func rewrite(_ fields: inout some RecordFieldContainer) -> [FieldProblem] { rewriteFields(&fields) }

    /// An imported row's slots, once per row: specialized here, where the body is (called
    /// generically from another module, every slot access went through the protocol's witness
    /// table and the slots were copied).
    public func rewrite(_ fields: inout RecordFieldSlots) -> [FieldProblem] { rewriteFields(&fields) }

    func rewriteFields<Fields: RecordFieldContainer>(_ fields: inout Fields) -> [FieldProblem] {
        for fill in defaultFills {
            // Matched, not compared with `==` to made values: once per default per row.
            switch fill.field.map({ fields.value($0) }) ?? fields.value(named: fill.name) {
            case nil, .null?: break
            case .string(let text)? where text.isEmpty: break
            default: continue
            }
            if let field = fill.field { fields.set(fill.value, field) } else { fields.set(fill.value, named: fill.name) }
        }
        var problems: [FieldProblem] = []
        if !symbols.isEmpty, let symbol = fields.value(.symbol)?.stringValue, let mapped = symbols[symbol] {
            if fields.value(.venueSymbol) == nil { fields.set(.string(symbol), .venueSymbol) }
            fields.set(.string(mapped), .symbol)
        }
        // `scale` may name the column (before rename) or the record field (after).
        for (key, power) in scale {
            let name = rename[key] ?? key
            guard let value = fields.value(named: name), value != .null, value != .string("") else { continue }
            guard let decimal = value.decimalValue else {
                problems.append(FieldProblem(name, "must be a decimal number to be scaled; got '\(value.stringValue ?? "a non-number")'"))
                continue
            }
            guard let scaled = decimal.scaled(byPowerOfTen: power) else {
                problems.append(FieldProblem(name, "\(decimal) × 10^\(power) does not fit an exact decimal"))
                continue
            }
            fields.set(.string(scaled.description), named: name)
        }
        // Without a zone a naive time is read as UTC later on: nothing to do here.
        if let timezone {
            for name in Self.timeFields {
                guard let text = fields.value(named: name)?.stringValue, TimeText.isNaive(text) else { continue }
                guard let time = ExchangeTime.utc(fromLocal: text.replacingOccurrences(of: "T", with: " "), zone: timezone) else {
                    problems.append(FieldProblem(name, "'\(text)' is not a time in \(timezone)"))
                    continue
                }
                fields.set(.string(time.rfc3339), named: name)
            }
        }
        return problems
    }
}

extension ExactDecimal {
    /// Exactly × 10^power; nil when the result needs more than 38 digits or scale.
    public func scaled(byPowerOfTen power: Int) -> ExactDecimal? {
        if power <= 0 {
            let newScale = Int(scale) - power
            guard newScale <= Int(Self.maxScale) else { return nil }
            return ExactDecimal(mantissa: mantissa, scale: UInt8(newScale))
        }
        var value = self
        for _ in 0..<power {
            if value.scale > 0 {
                value = ExactDecimal(mantissa: value.mantissa, scale: value.scale - 1)
            } else {
                let (product, overflow) = value.mantissa.multipliedReportingOverflow(by: 10)
                guard !overflow else { return nil }
                value = ExactDecimal(mantissa: product, scale: 0)
            }
        }
        return value
    }
}
