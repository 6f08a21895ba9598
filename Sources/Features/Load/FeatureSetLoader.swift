import Connectors
import Foundation
import TributaryCore
import Yams

/// Reads feature sets from `Features.d/*.yaml`, one set per file, every mistake located
/// (`file:line:column`) with its fix — the way Sources.d is read.
///
/// ```yaml
/// name: bars                  # optional: the file's name without .yaml
/// version: 1
/// input: { kind: trade, sources: [binance], symbols: [BTC-USDT] }   # omit sources/symbols for all
/// windows: [1s, 1m, 5m/1m]    # tumbling, or size/step for sliding
/// watermark: 5s               # windows close this far behind a source's newest event
/// late: drop                  # drop | hold | correct
/// lateness: 1m                # how long hold waits / correct re-emits
/// features:
///   - ohlcv
///   - ewma: { half_life: 30s }
///   - returns: { lookback: 20 }
///   - volatility: { lookback: 20 }
/// ```
public enum FeatureSetLoader {
    /// The largest file read (a set is a few lines; anything bigger is a mistake).
    public static let maxFileBytes = 256 * 1024

    static let keys = ["name", "version", "input", "windows", "watermark", "late", "lateness", "sequence", "features"]

    public static func parse(_ text: String, file: String) -> (FeatureSet?, [ConfigProblem]) {
        var reader = NodeReader(file: file)
        guard text.utf8.count <= maxFileBytes else {
            return (
                nil, [ConfigProblem(file: file, line: 1, column: 1, message: "the file is over \(maxFileBytes / 1024) KB", fix: "one feature set per file")]
            )
        }
        let root: Node
        do {
            guard let composed = try Yams.compose(yaml: text) else {
                return (nil, [ConfigProblem(file: file, line: 1, column: 1, message: "the file is empty", fix: "declare a set: input, windows, features")])
            }
            root = composed
        } catch let error as YamlError {
            return (nil, [reader.problem(from: error)])
        } catch {
            return (nil, [ConfigProblem(file: file, line: 1, column: 1, message: "not valid YAML: \(error)")])
        }
        guard let top = reader.mapping(root, "a feature set") else { return (nil, reader.problems) }
        reader.allowOnly(top, keys, in: "a feature set")

        let defaultName = ((file as NSString).lastPathComponent as NSString).deletingPathExtension
        let name = top["name"].flatMap { reader.identifier($0, "name") } ?? defaultName
        let version = top["version"].flatMap { reader.integer($0, "version", in: 1...1_000_000) } ?? 1
        if top["version"] == nil { reader.report(root, "missing `version:`", fix: "add `version: 1`; bump it when a feature's meaning changes") }

        var input: FeatureSet.Input?
        if let node = top["input"], let mapping = reader.mapping(node, "input") {
            reader.allowOnly(mapping, ["kind", "sources", "symbols"], in: "input")
            let kindText = mapping["kind"].flatMap { reader.string($0, "input.kind") }
            if let kindText, let kind = FeatureSet.Input.Kind(rawValue: kindText) {
                input = FeatureSet.Input(
                    kind: kind, sources: mapping["sources"].flatMap { reader.strings($0, "input.sources") }.map { Set($0.map { SourceID($0) }) },
                    symbols: mapping["symbols"].flatMap { reader.strings($0, "input.symbols") }.map(Set.init))
            } else {
                reader.report(
                    mapping["kind"] ?? node, "input.kind must be one of \(FeatureSet.Input.Kind.allCases.map(\.rawValue).joined(separator: ", "))",
                    fix: "trades feed bars (ohlcv), quotes feed mid and spread")
            }
        } else if top["input"] == nil {
            reader.report(root, "missing `input:`", fix: "add `input: { kind: trade }` (sources and symbols are optional)")
        }

        var windows: [WindowSpec] = []
        if let node = top["windows"], let texts = reader.strings(node, "windows") {
            for (index, text) in texts.enumerated() {
                let item = node.sequence.map { $0[index] } ?? node
                guard let spec = WindowSpec(text) else {
                    reader.report(
                        item, "window '\(text)' is not a duration from 1ms to 7d, or size/step with the size a whole multiple of the step",
                        fix: "write e.g. 1s, 1m, 1h, or 5m/1m for five-minute windows starting every minute")
                    continue
                }
                if windows.contains(spec) { reader.report(item, "window '\(text)' is listed twice", fix: "keep one") }
                windows.append(spec)
            }
            if windows.count > FeatureSet.maxWindows { reader.report(node, "more than \(FeatureSet.maxWindows) windows", fix: "split the set in two") }
            if texts.isEmpty { reader.report(node, "`windows:` is empty", fix: "list at least one, e.g. [1m]") }
        } else if top["windows"] == nil {
            reader.report(root, "missing `windows:`", fix: "add e.g. `windows: [1s, 1m]`")
        }

        var features: [FeatureSet.Feature] = []
        if let node = top["features"], let list = reader.sequence(node, "features") {
            for item in list {
                guard let feature = readFeature(item, reader: &reader) else { continue }
                if features.contains(where: { $0.name == feature.name }) {
                    reader.report(item, "feature '\(feature.name)' is listed twice", fix: "keep one")
                    continue
                }
                if let input, !feature.inputs.contains(input.kind) {
                    reader.report(
                        item, "\(feature.name) cannot be computed from \(input.kind.rawValue)s",
                        fix: "\(feature.name) needs \(feature.inputs.map(\.rawValue).sorted().joined(separator: " or ")) input")
                    continue
                }
                features.append(feature)
            }
            if list.isEmpty { reader.report(node, "`features:` is empty", fix: "list at least one, e.g. `- ohlcv`") }
        } else if top["features"] == nil {
            reader.report(root, "missing `features:`", fix: "add e.g. `features: [ohlcv]`")
        }

        var set = input.map { FeatureSet(name: name, version: version, input: $0, windows: windows, features: features) }
        if let node = top["watermark"] { set?.watermark = duration(node, "watermark", atLeast: 0, reader: &reader) ?? 0 }
        if let node = top["lateness"] { set?.lateness = duration(node, "lateness", atLeast: 0, reader: &reader) ?? 0 }
        if let node = top["late"], let text = reader.string(node, "late") {
            if let policy = FeatureSet.LatePolicy(rawValue: text) {
                set?.late = policy
            } else {
                reader.report(
                    node, "late must be one of drop, hold, correct; got '\(text)'\(reader.suggestion(text, FeatureSet.LatePolicy.allCases.map(\.rawValue)))",
                    fix: "drop: emit at the watermark; hold: wait `lateness` more; correct: re-emit within `lateness`")
            }
        }
        if let node = top["sequence"] {
            if let flag = node.bool { set?.checkSequence = flag } else { reader.report(node, "sequence must be true or false") }
        }
        return (reader.problems.isEmpty ? set : nil, reader.problems)
    }

    /// Every `*.yaml` / `*.yml` in `directory`, sorted by name; a name used twice is a problem.
    public static func loadDirectory(_ directory: String) -> (sets: [FeatureSet], problems: [ConfigProblem]) {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
        var sets: [FeatureSet] = [], problems: [ConfigProblem] = []
        for name in names {
            let path = (directory as NSString).appendingPathComponent(name)
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            guard size <= maxFileBytes, let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                problems.append(
                    ConfigProblem(
                        file: path, line: 1, column: 1,
                        message: size > maxFileBytes ? "the file is over \(maxFileBytes / 1024) KB" : "cannot be read as UTF-8 text"))
                continue
            }
            let (set, found) = parse(text, file: path)
            problems += found
            guard let set else { continue }
            if sets.contains(where: { $0.name == set.name }) {
                problems.append(
                    ConfigProblem(file: path, line: 1, column: 1, message: "feature set '\(set.name)' is declared twice", fix: "give one a different `name:`"))
                continue
            }
            sets.append(set)
        }
        return (sets, problems)
    }

    private static func readFeature(_ item: Node, reader: inout NodeReader) -> FeatureSet.Feature? {
        let names = ["ohlcv", "mid", "spread", "ewma", "returns", "volatility"]
        if let scalar = item.scalar {
            switch scalar.string {
            case "ohlcv": return .ohlcv
            case "mid": return .mid
            case "spread": return .spread
            case "returns": return .returns(lookback: 20)
            case "volatility": return .volatility(lookback: 20)
            case "ewma":
                reader.report(item, "ewma needs a half-life", fix: "write `- ewma: { half_life: 30s }`")
                return nil
            default:
                reader.report(
                    item, "unknown feature '\(scalar.string)'\(reader.suggestion(scalar.string, names))", fix: "one of \(names.joined(separator: ", "))")
                return nil
            }
        }
        guard let mapping = reader.mapping(item, "a feature"), mapping.count == 1, let (keyNode, options) = mapping.first, let name = keyNode.scalar?.string
        else {
            reader.report(item, "a feature is a name, or one name with its options", fix: "e.g. `- ohlcv` or `- returns: { lookback: 20 }`")
            return nil
        }
        let settings = reader.mapping(options, name)
        switch name {
        case "ewma":
            guard let settings else { return nil }
            reader.allowOnly(settings, ["half_life"], in: "ewma")
            guard let node = settings["half_life"] else {
                reader.report(options, "ewma needs `half_life:`", fix: "e.g. { half_life: 30s }")
                return nil
            }
            return duration(node, "ewma.half_life", atLeast: 1_000_000, reader: &reader).map { .ewma(halfLife: $0) }
        case "returns", "volatility":
            guard let settings else { return nil }
            reader.allowOnly(settings, ["lookback"], in: name)
            let lookback = settings["lookback"].flatMap { reader.integer($0, "\(name).lookback", in: 2...FeatureSet.maxLookback) } ?? 20
            return name == "returns" ? .returns(lookback: lookback) : .volatility(lookback: lookback)
        case "ohlcv", "mid", "spread":
            reader.report(options, "\(name) takes no options", fix: "write `- \(name)`")
            return nil
        default:
            reader.report(keyNode, "unknown feature '\(name)'\(reader.suggestion(name, names))", fix: "one of \(names.joined(separator: ", "))")
            return nil
        }
    }

    private static func duration(_ node: Node, _ what: String, atLeast minimum: Int64, reader: inout NodeReader) -> Int64? {
        guard let text = reader.string(node, what) else { return nil }
        guard let value = DurationText.parse(text)?.nanosecondsCount, value >= minimum, value <= WindowSpec.longest else {
            reader.report(node, "\(what) '\(text)' is not a duration up to 7d", fix: "write e.g. 500ms, 5s, 1m, 1h")
            return nil
        }
        return value
    }
}
