import TributaryCore
import Yams

/// Typed reads from a YAML node that record a located problem instead of failing.
package struct NodeReader {
    package let file: String
    package var problems: [ConfigProblem] = []

    package init(file: String) {
        self.file = file
    }

    package mutating func report(_ node: Node, _ message: String, fix: String? = nil) {
        let mark = node.mark
        problems.append(ConfigProblem(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1, message: message, fix: fix))
    }

    package func problem(from error: YamlError) -> ConfigProblem {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return ConfigProblem(
                file: file, line: mark.line, column: mark.column, message: "not valid YAML: \(problem)", fix: "check indentation and quoting on this line")
        case .duplicatedKeysInMapping(let duplicates, let context):
            return ConfigProblem(
                file: file, line: context.mark.line, column: context.mark.column,
                message: "key repeated in one mapping: \(duplicates.joined(separator: ", "))", fix: "keep one of them")
        default:
            return ConfigProblem(file: file, line: 1, column: 1, message: "not valid YAML: \(error)")
        }
    }

    package mutating func mapping(_ node: Node, _ what: String) -> Node.Mapping? {
        guard let mapping = node.mapping else {
            report(node, "\(what) must be a mapping (key: value pairs)", fix: "indent its keys under it, or write { key: value }")
            return nil
        }
        return mapping
    }

    package mutating func sequence(_ node: Node, _ what: String) -> Node.Sequence? {
        guard let sequence = node.sequence else {
            report(node, "\(what) must be a list", fix: "write each item on its own line starting with `- `")
            return nil
        }
        return sequence
    }

    package mutating func string(_ node: Node, _ what: String) -> String? {
        guard let scalar = node.scalar else {
            report(node, "\(what) must be a single value, not a list or mapping")
            return nil
        }
        return scalar.string
    }

    package mutating func strings(_ node: Node, _ what: String) -> [String]? {
        if let scalar = node.scalar { return [scalar.string] }
        guard let list = sequence(node, what) else { return nil }
        return list.compactMap { string($0, "an item of \(what)") }
    }

    package mutating func identifier(_ node: Node, _ what: String) -> String? {
        guard let text = string(node, what) else { return nil }
        guard !text.isEmpty, text.allSatisfy({ ($0.isLetter && $0.isLowercase) || $0.isNumber || $0 == "-" || $0 == "_" }), text.first!.isLetter else {
            report(
                node, "\(what) '\(text)' must be lower-case letters, digits, - or _, starting with a letter",
                fix: "e.g. `\(text.lowercased().filter { $0.isLetter || $0.isNumber })`")
            return nil
        }
        return text
    }

    package mutating func environmentName(_ node: Node, _ what: String) -> String? {
        guard let text = string(node, what) else { return nil }
        guard !text.isEmpty, text.allSatisfy({ ($0.isLetter && $0.isUppercase) || $0.isNumber || $0 == "_" }) else {
            report(
                node, "\(what) '\(text)' is not an environment variable name",
                fix: "use upper case, digits and _, e.g. FINNHUB_API_KEY; put the value in the environment or .env, never in this file")
            return nil
        }
        return text
    }

    package mutating func integer(_ node: Node, _ what: String, in range: ClosedRange<Int>) -> Int? {
        guard let text = string(node, what) else { return nil }
        guard let value = Int(text), range.contains(value) else {
            report(node, "\(what) must be a whole number in \(range.lowerBound)…\(range.upperBound), got '\(text)'")
            return nil
        }
        return value
    }

    package mutating func number(_ node: Node, _ what: String, above lower: Double, atMost upper: Double = .greatestFiniteMagnitude) -> Double? {
        guard let text = string(node, what) else { return nil }
        guard let value = Double(text), value > lower, value <= upper else {
            let range = upper == .greatestFiniteMagnitude ? "greater than \(max(0, lower))" : "in (\(max(0, lower)), \(upper)]"
            report(node, "\(what) must be a number \(range), got '\(text)'")
            return nil
        }
        return value
    }

    /// Reports keys outside `allowed`, suggesting the closest allowed one.
    package mutating func allowOnly(_ mapping: Node.Mapping, _ allowed: [String], in what: String) {
        for key in mapping.keys {
            guard let name = key.scalar?.string, !allowed.contains(name) else { continue }
            report(key, "unknown key '\(name)' in \(what)", fix: "allowed keys: \(allowed.joined(separator: ", "))\(suggestion(name, allowed))")
        }
    }

    /// Names for a "use one of" fix: the first 20, then how many more, so an error stays short
    /// however many endpoints a file has.
    package func choices(_ names: [String]) -> String {
        names.count <= 20 ? names.joined(separator: ", ") : names.prefix(20).joined(separator: ", ") + ", … (\(names.count - 20) more)"
    }

    /// "; did you mean 'x'?" for the allowed word closest to `word`, when one is close.
    package func suggestion(_ word: String, _ candidates: [String]) -> String {
        ClosestMatch.suggestion(word, in: candidates)
    }
}
