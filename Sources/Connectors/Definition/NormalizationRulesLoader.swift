import Foundation
import TributaryCore
import Yams

/// Reads ``NormalizationRules`` from YAML — a `--rules` file, or the `rules:` of a Sources.d
/// file — with every mistake located (`file:line:column`) and a fix.
///
/// ```yaml
/// kind: trade                 # shorthand for defaults: { kind: trade }
/// rename: { ts: time, px: price, qty: size, ticker: symbol, id: trade_id }
/// drop: [internal_note]       # or keep: [...] to keep only those columns
/// defaults: { side: buy }
/// symbols: { XBTUSD: BTC-USD }
/// scale: { price: -2 }        # cents → units, exactly
/// timezone: America/New_York  # for times written without an offset
/// key: [time, price, size]    # dedup on these fields instead of the kind's natural key
/// ```
public enum NormalizationRulesLoader {
    public static let keys = ["kind", "rename", "drop", "keep", "defaults", "symbols", "scale", "timezone", "key"]

    /// Parses a rules file's text.
    public static func parse(_ text: String, file: String) -> (NormalizationRules?, [ConfigProblem]) {
        var reader = NodeReader(file: file)
        do {
            guard let root = try Yams.compose(yaml: text) else {
                return (nil, [ConfigProblem(file: file, line: 1, column: 1, message: "the rules file is empty", fix: "add at least `rename:` or `kind:`")])
            }
            let rules = read(root, reader: &reader)
            return (reader.problems.isEmpty ? rules : nil, reader.problems)
        } catch let error as YamlError {
            return (nil, [reader.problem(from: error)])
        } catch {
            return (nil, [ConfigProblem(file: file, line: 1, column: 1, message: "not valid YAML: \(error)")])
        }
    }

    /// Reads rules from a node (a whole rules file, or a Sources.d `rules:` value).
    static func read(_ node: Node, reader: inout NodeReader) -> NormalizationRules? {
        guard let mapping = reader.mapping(node, "the rules") else { return nil }
        reader.allowOnly(mapping, keys, in: "the rules")
        var rules = NormalizationRules()
        func pairs(_ key: String) -> [String: String] {
            guard let node = mapping[key], let map = reader.mapping(node, key) else { return [:] }
            var result: [String: String] = [:]
            for (k, v) in map {
                guard let name = reader.string(k, "\(key) key"), let value = reader.string(v, "\(key).\(name)") else { continue }
                result[name] = value
            }
            return result
        }
        rules.rename = pairs("rename")
        rules.defaults = pairs("defaults")
        rules.symbols = pairs("symbols")
        if let node = mapping["kind"], let kind = reader.string(node, "kind") {
            if Record.Kind(rawValue: kind) == nil {
                reader.report(
                    node, "unknown kind '\(kind)'",
                    fix:
                        "one of \(Record.Kind.allCases.map(\.rawValue).joined(separator: ", "))\(reader.suggestion(kind, Record.Kind.allCases.map(\.rawValue)))"
                )
            }
            rules.defaults["kind"] = kind
        }
        if let node = mapping["drop"] { rules.drop = Set(reader.strings(node, "drop") ?? []) }
        if let node = mapping["keep"] { rules.keep = Set(reader.strings(node, "keep") ?? []) }
        if let node = mapping["key"] {
            let fields = reader.strings(node, "key") ?? []
            if fields.isEmpty { reader.report(node, "`key` lists no field", fix: "e.g. `key: [time, price, size]`") } else { rules.key = fields }
        }
        if let node = mapping["scale"], let map = reader.mapping(node, "scale") {
            for (k, v) in map {
                guard let name = reader.string(k, "scale key"), let power = reader.integer(v, "scale.\(name)", in: -18...18) else { continue }
                rules.scale[name] = power
            }
        }
        if let node = mapping["timezone"], let zone = reader.string(node, "timezone") {
            if TimeZone(identifier: zone) == nil {
                reader.report(node, "unknown time zone '\(zone)'", fix: "an IANA name such as America/New_York or Europe/London")
            } else {
                rules.timezone = zone
            }
        }
        let fields = Set(RecordBuilder.common + RecordBuilder.fields.values.flatMap { $0 })
        for (column, field) in rules.rename where !fields.contains(field) {
            if let node = mapping["rename"]?.mapping?[column] {
                reader.report(
                    node, "'\(field)' is not a record field", fix: "rename to one of the record model's fields\(reader.suggestion(field, Array(fields)))")
            }
        }
        return rules
    }
}
