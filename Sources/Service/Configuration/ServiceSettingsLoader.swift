import Configuration
import Connectors
import Foundation
import SystemPackage
import TributaryCore
import Yams

/// Reads ``ServiceSettings`` with swift-configuration: `TRIBUTARY_…` environment variables over
/// an optional `tributary.yaml` over the defaults, then the command line's flags on top.
///
/// Each value is read as text from the first provider that has it, so an error can say where
/// the bad value came from (`tributary.yaml` or `TRIBUTARY_BUFFER_CAPACITY`), then parsed and
/// range-checked here. Unknown keys in the file are errors too (with a did-you-mean), because a
/// misspelt `shutdown.deadlin` silently keeping the default is the bug users never find.
public struct ServiceSettingsLoader: Sendable {
    /// One invalid setting: its key, where it came from, what is wrong and what is allowed.
    public struct Problem: Error, Sendable, Equatable, CustomStringConvertible {
        public var key: String
        public var origin: String
        public var message: String
        public var description: String { "\(origin): \(key): \(message)" }
    }

    /// Every problem found, reported together so one run fixes them all.
    public struct Problems: Error, Sendable, CustomStringConvertible {
        public var problems: [Problem]
        public var description: String {
            "invalid settings:\n" + problems.map { "  - \($0)" }.joined(separator: "\n")
        }
    }

    /// Where the file was looked for; `nil` when no file was given and `./tributary.yaml` is absent.
    public let filePath: String?
    private let environment: [String: String]

    /// - Parameters:
    ///   - filePath: `--config`, else `TRIBUTARY_CONFIG`, else `tributary.yaml` if it exists.
    ///   - environment: the process environment (tests pass their own).
    public init(filePath: String?, environment: [String: String]) {
        self.environment = environment
        if let filePath {
            self.filePath = filePath
        } else if let path = environment["TRIBUTARY_CONFIG"] {
            self.filePath = path
        } else {
            self.filePath = FileManager.default.fileExists(atPath: "tributary.yaml") ? "tributary.yaml" : nil
        }
    }

    /// Every key the file and the environment may set, with its parser and range.
    static let keys: [SettingKey] = [
        .text("store.path", show: { $0.storePath }) { $0.storePath = $1 },
        .text("store.url", show: { $0.storeURL ?? "" }) { $0.storeURL = $1 },
        .text("bus.url", show: { $0.busURL ?? "" }) { $0.busURL = $1 },
        .integer("bus.replicas", 1...5, show: { String($0.busReplicas) }) { $0.busReplicas = $1 },
        .integer("bus.events_per_message", 1...1_000, show: { String($0.busEventsPerMessage) }) { $0.busEventsPerMessage = $1 },
        .duration("bus.lease_ttl", .seconds(2) ... .seconds(600), show: { DurationText.format($0.busLeaseTTL) }) { $0.busLeaseTTL = $1 },
        .text("bus.instance", show: { $0.busInstance ?? "" }) { $0.busInstance = $1 },
        .integer("store.batch_size", 1...100_000, show: { String($0.storeBatchSize) }) { $0.storeBatchSize = $1 },
        .duration("store.linger", .zero ... .seconds(10), show: { DurationText.format($0.storeLinger) }) { $0.storeLinger = $1 },
        .integer("store.max_bytes", 0...Int(Int64.max / 2), show: { String($0.storeMaxBytes) }) { $0.storeMaxBytes = $1 },
        .integer("store.dead_letter_max_bytes", 0...(16 * 1024 * 1024), show: { String($0.deadLetterMaxBytes) }) { $0.deadLetterMaxBytes = $1 },
        .integer("buffer.capacity", 16...10_000_000, show: { String($0.bufferCapacity) }) { $0.bufferCapacity = $1 },
        .integer("pool.max_connections", 1...100_000, show: { String($0.poolMaxConnections) }) { $0.poolMaxConnections = $1 },
        .integer("pool.max_per_host", 1...10_000, show: { String($0.poolMaxPerHost) }) { $0.poolMaxPerHost = $1 },
        .text("http.host", show: { $0.httpHost }) { $0.httpHost = $1 },
        .integer("http.port", 0...65_535, show: { String($0.httpPort) }) { $0.httpPort = $1 },
        .duration("shutdown.deadline", .seconds(1) ... .seconds(3_600), show: { DurationText.format($0.shutdownDeadline) }) { $0.shutdownDeadline = $1 },
        .duration("freshness.stale_after", .seconds(1) ... .seconds(7 * 86_400), show: { DurationText.format($0.staleAfter) }) { $0.staleAfter = $1 },
        .duration("push.idempotency_ttl", .seconds(60) ... .seconds(30 * 86_400), show: { DurationText.format($0.idempotencyTTL) }) { $0.idempotencyTTL = $1 },
        .duration("push.wait_for_room", .zero ... .seconds(10), show: { DurationText.format($0.pushWaitForRoom) }) { $0.pushWaitForRoom = $1 },
        .decimal("freshness.outlier_percent", 0.01...100, show: { String($0.outlierPercent) }) { $0.outlierPercent = $1 },
        .duration("latency.p95_target", .milliseconds(1) ... .seconds(600), show: { DurationText.format($0.p95Target) }) { $0.p95Target = $1 },
    ]

    /// One setting as it took effect: its value and where it came from.
    public struct Effective: Sendable, Equatable {
        public var key: String
        public var value: String
        /// `default`, the file's path, or `environment variable TRIBUTARY_…`.
        public var origin: String

        public init(key: String, value: String, origin: String) {
            self.key = key
            self.value = value
            self.origin = origin
        }
    }

    /// Reads, parses and checks every setting; throws ``Problems`` listing each bad one.
    public func load() async throws -> ServiceSettings {
        try await loadWithOrigins().settings
    }

    /// ``load()``, and every setting with the value it took and where that came from
    /// (`tributary settings` prints them).
    public func loadWithOrigins() async throws -> (settings: ServiceSettings, effective: [Effective]) {
        var problems: [Problem] = []
        var origins: [String: String] = [:]
        var layers: [(origin: (String) -> String, provider: any ConfigProvider)] = [
            (
                { "environment variable " + Self.environmentName($0) },
                EnvironmentVariablesProvider(environmentVariables: environment).prefixKeys(with: "tributary")
            )
        ]
        if let filePath {
            do {
                let file = try await FileProvider<YAMLSnapshot>(filePath: FilePath(filePath))
                layers.append(({ _ in filePath }, file))
                problems += try unknownKeys(in: filePath)
            } catch let error as Problems {
                throw error
            } catch {
                throw Problems(problems: [Problem(key: "-", origin: filePath, message: "cannot be read as YAML: \(error)")])
            }
        }
        var settings = ServiceSettings()
        for key in Self.keys {
            for layer in layers {
                guard let text = Self.text(try? layer.provider.value(forKey: AbsoluteConfigKey(key.path), type: .string).value?.content)
                else { continue }
                if let message = key.apply(text, &settings) {
                    problems.append(Problem(key: key.name, origin: layer.origin(key.name), message: message))
                }
                origins[key.name] = layer.origin(key.name)
                break
            }
        }
        guard problems.isEmpty else { throw Problems(problems: problems) }
        let effective = Self.keys.map { Effective(key: $0.name, value: $0.show(settings), origin: origins[$0.name] ?? "default") }
        return (settings, effective)
    }

    /// Variables Tributary reads that are not settings of this file.
    static let otherVariables: Set<String> = [
        "TRIBUTARY_CONFIG", "TRIBUTARY_ENV_FILE", "TRIBUTARY_SOURCES_DIR",
        // The test suite's own.
        "TRIBUTARY_BINARY", "TRIBUTARY_RELEASE_BINARY", "TRIBUTARY_PAYLOADS_DIR",
    ]

    /// `TRIBUTARY_…` variables of the environment that Tributary does not read — a misspelt
    /// `TRIBUTARY_BUFER_CAPACITY` would otherwise leave the default in place without a word —
    /// each with a did-you-mean. `TRIBUTARY_<SOURCE>_BASE_URL` (a source's address) and
    /// `TRIBUTARY_TEST_…` are read elsewhere and pass.
    public func unknownVariables() -> [String] {
        let known = Self.keys.map { Self.environmentName($0.name) }
        let names = Set(known).union(Self.otherVariables)
        return environment.keys.sorted().compactMap { name in
            guard name.hasPrefix("TRIBUTARY_"), !names.contains(name), !name.hasSuffix("_BASE_URL"), !name.hasPrefix("TRIBUTARY_TEST_") else { return nil }
            return "\(name) is not a Tributary setting and is ignored\(ClosestMatch.suggestion(name, in: known + Self.otherVariables.sorted()))"
        }
    }

    /// `shutdown.deadline` → `TRIBUTARY_SHUTDOWN_DEADLINE`.
    public static func environmentName(_ key: String) -> String {
        "TRIBUTARY_" + key.uppercased().replacingOccurrences(of: ".", with: "_")
    }

    private static func text(_ content: ConfigContent?) -> String? {
        switch content {
        case .string(let value)?: value
        case .int(let value)?: String(value)
        case .double(let value)?: String(value)
        case .bool(let value)?: String(value)
        default: nil
        }
    }

    /// Keys of the file that are not settings (swift-configuration ignores them silently).
    private func unknownKeys(in path: String) throws -> [Problem] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        guard let root = try Yams.compose(yaml: text) else { return [] }
        guard let mapping = root.mapping else {
            return [
                Problem(key: "-", origin: path, message: "the file must be a mapping of sections (store:, buffer:, pool:, http:, shutdown:, freshness:, push:)")
            ]
        }
        let known = Self.keys.map(\.name)
        var problems: [Problem] = []
        func walk(_ mapping: Node.Mapping, prefix: String) {
            for (keyNode, value) in mapping {
                let name = prefix + (keyNode.scalar?.string ?? "?")
                if let nested = value.mapping { walk(nested, prefix: name + "."); continue }
                guard !known.contains(name) else { continue }
                problems.append(
                    Problem(
                        key: name, origin: "\(path):\(keyNode.mark?.line ?? 0)",
                        message: "not a setting\(ClosestMatch.suggestion(name, in: known)) (settings: \(known.joined(separator: ", ")))"))
            }
        }
        walk(mapping, prefix: "")
        return problems
    }
}

/// One setting: its dotted name, and how its text is parsed, checked and applied.
struct SettingKey: Sendable {
    let name: String
    /// The setting's value in `settings`, written as the file would take it.
    let show: @Sendable (ServiceSettings) -> String
    /// Parses `text` into the settings; returns what is wrong, or nil.
    let apply: @Sendable (String, inout ServiceSettings) -> String?

    var path: [String] { name.split(separator: ".").map(String.init) }

    static func text(
        _ name: String, show: @escaping @Sendable (ServiceSettings) -> String,
        _ set: @escaping @Sendable (inout ServiceSettings, String) -> Void
    ) -> SettingKey {
        SettingKey(name: name, show: show) { text, settings in
            guard !text.trimmingCharacters(in: .whitespaces).isEmpty else { return "must not be empty" }
            set(&settings, text)
            return nil
        }
    }

    static func integer(
        _ name: String, _ range: ClosedRange<Int>, show: @escaping @Sendable (ServiceSettings) -> String,
        _ set: @escaping @Sendable (inout ServiceSettings, Int) -> Void
    ) -> SettingKey {
        SettingKey(name: name, show: show) { text, settings in
            guard let value = Int(text.replacingOccurrences(of: "_", with: "")) else {
                return "'\(text)' is not a whole number; allowed: \(range.lowerBound)…\(range.upperBound)"
            }
            guard range.contains(value) else { return "\(value) is out of range; allowed: \(range.lowerBound)…\(range.upperBound)" }
            set(&settings, value)
            return nil
        }
    }

    static func decimal(
        _ name: String, _ range: ClosedRange<Double>, show: @escaping @Sendable (ServiceSettings) -> String,
        _ set: @escaping @Sendable (inout ServiceSettings, Double) -> Void
    ) -> SettingKey {
        SettingKey(name: name, show: show) { text, settings in
            guard let value = Double(text), value.isFinite else { return "'\(text)' is not a number; allowed: \(range.lowerBound)…\(range.upperBound)" }
            guard range.contains(value) else { return "\(text) is out of range; allowed: \(range.lowerBound)…\(range.upperBound)" }
            set(&settings, value)
            return nil
        }
    }

    static func duration(
        _ name: String, _ range: ClosedRange<Duration>, show: @escaping @Sendable (ServiceSettings) -> String,
        _ set: @escaping @Sendable (inout ServiceSettings, Duration) -> Void
    ) -> SettingKey {
        SettingKey(name: name, show: show) { text, settings in
            let allowed = "allowed: \(DurationText.format(range.lowerBound))…\(DurationText.format(range.upperBound))"
            guard let value = DurationText.parse(text) else { return "'\(text)' is not a duration (write 250ms, 10s, 5m, 1h); \(allowed)" }
            guard range.contains(value) else { return "\(text) is out of range; \(allowed)" }
            set(&settings, value)
            return nil
        }
    }
}
