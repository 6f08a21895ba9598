import Foundation
import TributaryCore
import Yams

/// Reads and validates Sources.d files.
///
/// Every mistake is reported with its file, line and column and a suggested fix, and a file
/// with mistakes is not used (the others still are): a typo in one source's file must not
/// take the other sources down, nor silently run with half a configuration.
///
/// A file is bounded — at most ``maxFileBytes``, ``maxEndpoints`` endpoints and ``maxPollEntries``
/// poll entries — and read in time linear in its size, so a huge or hostile file is refused
/// quickly with the limit it broke instead of taking minutes and gigabytes.
public enum SourceDefinitionLoader {
    /// The largest Sources.d file read (the shipped ones are under 4 KiB).
    public static let maxFileBytes = 1 << 20
    /// The most endpoints one file may describe.
    public static let maxEndpoints = 1_000
    /// The most poll entries one file may hold.
    public static let maxPollEntries = 1_000

    /// What a directory (or several, later ones overriding earlier by id) yielded.
    public struct Result: Sendable {
        public var definitions: [SourceID: SourceDefinition] = [:]
        public var problems: [ConfigProblem] = []
        /// Sources whose file (any of them) has mistakes: not used, rather than half-used.
        public var brokenSources: [SourceID: [ConfigProblem]] = [:]
        public var files: [String] = []
    }

    /// Loads every `*.yaml` / `*.yml` file of each directory in order; a later file with the
    /// same `id` replaces the earlier one (that is how a user overrides a shipped source).
    public static func load(directories: [String], knownConnectors: [String: [String]]) -> Result {
        var result = Result()
        for directory in directories {
            guard let names = listing(directory, into: &result) else { continue }
            for name in names.sorted() where name.hasSuffix(".yaml") || name.hasSuffix(".yml") {
                let path = (directory as NSString).appendingPathComponent(name)
                result.files.append(path)
                let size = ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
                if size > Self.maxFileBytes {
                    result.problems.append(Self.tooLarge(file: path, bytes: size))
                    continue
                }
                guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                    result.problems.append(ConfigProblem(file: path, line: 1, column: 1, message: "cannot read the file as UTF-8 text"))
                    continue
                }
                let (definition, problems) = parse(text, file: path, knownConnectors: knownConnectors)
                result.problems += problems
                if let definition, problems.isEmpty { result.definitions[definition.id] = definition }
                if let definition, !problems.isEmpty { result.brokenSources[definition.id, default: []] += problems }
            }
        }
        return result
    }

    /// Parses one file's text. `knownConnectors` maps each Swift connector id to its endpoints.
    public static func parse(_ text: String, file: String, knownConnectors: [String: [String]]) -> (SourceDefinition?, [ConfigProblem]) {
        guard text.utf8.count <= Self.maxFileBytes else { return (nil, [Self.tooLarge(file: file, bytes: text.utf8.count)]) }
        var reader = NodeReader(file: file)
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else {
                return (nil, [ConfigProblem(file: file, line: 1, column: 1, message: "the file is empty", fix: "add at least `id: <source>`")])
            }
            root = node
        } catch let error as YamlError {
            return (nil, [reader.problem(from: error)])
        } catch {
            return (nil, [ConfigProblem(file: file, line: 1, column: 1, message: "not valid YAML: \(error)")])
        }
        guard let top = reader.mapping(root, "the file") else { return (nil, reader.problems) }
        reader.allowOnly(top, Self.topLevelKeys, in: "the file")
        guard let idNode = top["id"], let id = reader.identifier(idNode, "id") else {
            if top["id"] == nil {
                reader.report(root, "missing `id`", fix: "add `id: <source>` (lower case, e.g. `id: binance`)")
            }
            return (nil, reader.problems)
        }
        var definition = SourceDefinition(id: SourceID(id), file: file)
        definition.name = top["name"].flatMap { reader.string($0, "name") }
        if let node = top["connector"], let connector = reader.identifier(node, "connector") {
            definition.connector = connector
        } else if top["push"] != nil, knownConnectors[definition.connector] == nil {
            definition.connector = "push"
        }
        let isDeclarative = definition.connector == "declarative"
        var endpointList = knownConnectors[definition.connector]
        if isDeclarative {
            endpointList = top["endpoints"]?.mapping?.keys.compactMap { $0.scalar?.string } ?? []
            if endpointList?.isEmpty ?? true {
                reader.report(
                    top["connector"] ?? idNode, "a declarative source needs `endpoints:`", fix: "describe at least one endpoint with path, kind and fields")
            }
        } else if definition.isPushOnly {
            endpointList = []
            if top["push"] == nil {
                reader.report(
                    top["connector"] ?? idNode, "`connector: push` needs a `push:` section",
                    fix: "add e.g. `push: { signature: { scheme: standard-webhooks, secret_env: ACME_WEBHOOK_SECRET } }`")
            }
        } else if endpointList == nil {
            reader.report(
                top["connector"] ?? idNode, "no connector named '\(definition.connector)'",
                fix: "use one of: \((knownConnectors.keys.sorted() + ["declarative"]).joined(separator: ", ")), or set `connector:` to one of them")
        }
        // Looked up once per endpoint and poll entry: a set keeps a large file linear.
        let endpoints = endpointList.map(Set.init)
        let endpointNames = endpointList.map { $0.sorted() } ?? []
        if let node = top["base_url"], let url = reader.string(node, "base_url") {
            if !(url.hasPrefix("http://") || url.hasPrefix("https://")) {
                reader.report(
                    node, "base_url must start with http:// or https://, got '\(url.prefix(200))'", fix: "write the full address, e.g. https://api.example.com")
            } else if URLComponents(string: url)?.host?.isEmpty ?? true {
                reader.report(node, "base_url '\(url.prefix(200))' has no host", fix: "write the full address with its host, e.g. https://api.example.com")
            } else {
                definition.baseURL = url
            }
        }
        if let node = top["auth"], let auth = reader.mapping(node, "auth") {
            reader.allowOnly(auth, ["kind", "key_env", "secret_env", "name"], in: "auth")
            let kind = auth["kind"].flatMap { reader.string($0, "auth.kind") } ?? "none"
            let kinds = ["none", "hmac-sha256", "query", "header", "bearer"]
            if !kinds.contains(kind) {
                reader.report(auth["kind"] ?? node, "auth.kind '\(kind)' is unknown", fix: "use one of: \(kinds.joined(separator: ", "))")
            }
            definition.auth = .init(
                kind: kind, keyEnv: auth["key_env"].flatMap { reader.environmentName($0, "auth.key_env") },
                secretEnv: auth["secret_env"].flatMap { reader.environmentName($0, "auth.secret_env") },
                name: auth["name"].flatMap { reader.string($0, "auth.name") })
        }
        if let node = top["rate_limit"], let limit = reader.mapping(node, "rate_limit") {
            reader.allowOnly(limit, ["capacity", "refill_per_second"], in: "rate_limit")
            let capacity = limit["capacity"].flatMap { reader.number($0, "rate_limit.capacity", above: 0) }
            let refill = limit["refill_per_second"].flatMap { reader.number($0, "rate_limit.refill_per_second", above: 0) }
            if let capacity, let refill {
                definition.rateLimit = .init(capacity: capacity, refillPerSecond: refill)
            } else if limit["capacity"] == nil || limit["refill_per_second"] == nil {
                reader.report(
                    node, "rate_limit needs both capacity and refill_per_second", fix: "e.g. `rate_limit: { capacity: 6000, refill_per_second: 100 }`")
            }
        }
        if let node = top["breaker"], let breaker = reader.mapping(node, "breaker") {
            reader.allowOnly(
                breaker, ["failure_threshold", "window_size", "minimum_calls", "failure_rate", "open_seconds", "half_open_probes", "slow_call_ms"],
                in: "breaker")
            definition.breaker.failureThreshold = breaker["failure_threshold"].flatMap { reader.integer($0, "breaker.failure_threshold", in: 1...10_000) }
            definition.breaker.windowSize = breaker["window_size"].flatMap { reader.integer($0, "breaker.window_size", in: 1...10_000) }
            definition.breaker.minimumCalls = breaker["minimum_calls"].flatMap { reader.integer($0, "breaker.minimum_calls", in: 1...10_000) }
            definition.breaker.failureRate = breaker["failure_rate"].flatMap { reader.number($0, "breaker.failure_rate", above: 0, atMost: 1) }
            definition.breaker.openDuration = breaker["open_seconds"].flatMap { reader.integer($0, "breaker.open_seconds", in: 1...86_400) }.map {
                .seconds($0)
            }
            definition.breaker.halfOpenProbes = breaker["half_open_probes"].flatMap { reader.integer($0, "breaker.half_open_probes", in: 1...1_000) }
            definition.breaker.slowCall = breaker["slow_call_ms"].flatMap { reader.integer($0, "breaker.slow_call_ms", in: 1...3_600_000) }.map {
                .milliseconds($0)
            }
            if let window = definition.breaker.windowSize, let minimum = definition.breaker.minimumCalls, minimum > window, let n = breaker["minimum_calls"] {
                reader.report(n, "breaker.minimum_calls (\(minimum)) is larger than breaker.window_size (\(window))", fix: "make minimum_calls ≤ window_size")
            }
        }
        if let node = top["retry"], let retry = reader.mapping(node, "retry") {
            reader.allowOnly(
                retry, ["max_attempts", "base_ms", "cap_ms", "jitter", "max_retry_after_seconds", "budget_ratio", "budget_floor_per_second"], in: "retry")
            definition.retry.maxAttempts = retry["max_attempts"].flatMap { reader.integer($0, "retry.max_attempts", in: 1...20) }
            definition.retry.base = retry["base_ms"].flatMap { reader.integer($0, "retry.base_ms", in: 1...600_000) }.map { .milliseconds($0) }
            definition.retry.cap = retry["cap_ms"].flatMap { reader.integer($0, "retry.cap_ms", in: 1...3_600_000) }.map { .milliseconds($0) }
            if let base = definition.retry.base, let cap = definition.retry.cap, cap < base, let n = retry["cap_ms"] {
                reader.report(n, "retry.cap_ms is below retry.base_ms", fix: "make cap_ms ≥ base_ms")
            }
            if let node = retry["jitter"], let jitter = reader.string(node, "retry.jitter") {
                if ["none", "full", "decorrelated"].contains(jitter) {
                    definition.retry.jitter = jitter
                } else {
                    reader.report(node, "retry.jitter '\(jitter)' is unknown", fix: "use full, decorrelated or none")
                }
            }
            definition.retry.maxRetryAfter = retry["max_retry_after_seconds"].flatMap { reader.integer($0, "retry.max_retry_after_seconds", in: 1...86_400) }
                .map { .seconds($0) }
            definition.retry.budgetRatio = retry["budget_ratio"].flatMap { reader.number($0, "retry.budget_ratio", above: -0.000001, atMost: 1) }
            definition.retry.budgetFloorPerSecond = retry["budget_floor_per_second"].flatMap {
                reader.number($0, "retry.budget_floor_per_second", above: -0.000001)
            }
        }
        if let node = top["stale_after"], let text = reader.string(node, "stale_after") {
            if let value = DurationText.parse(text), value >= .seconds(1) {
                definition.staleAfter = value
            } else {
                reader.report(node, "stale_after '\(text)' is not a duration of at least 1s", fix: "write e.g. 2m, 1h, 400d")
            }
        }
        if let node = top["p95_target"], let text = reader.string(node, "p95_target") {
            if let value = DurationText.parse(text), value >= .milliseconds(1), value <= .seconds(600) {
                definition.p95Target = value
            } else {
                reader.report(node, "p95_target '\(text)' is not a duration from 1ms to 10m", fix: "write e.g. 250ms, 2s")
            }
        }
        if let node = top["push"], let push = reader.mapping(node, "push") {
            reader.allowOnly(push, ["signature", "rate_limit", "max_body_bytes"], in: "push")
            var settings = SourceDefinition.Push()
            if let signatureNode = push["signature"], let signature = reader.mapping(signatureNode, "push.signature") {
                reader.allowOnly(signature, ["scheme", "secret_env", "tolerance"], in: "push.signature")
                let schemes = ["standard-webhooks", "hmac-sha256", "none"]
                if let schemeNode = signature["scheme"], let scheme = reader.string(schemeNode, "push.signature.scheme") {
                    if schemes.contains(scheme) {
                        settings.signatureScheme = scheme == "none" ? nil : scheme
                    } else {
                        reader.report(
                            schemeNode, "unknown signature scheme '\(scheme)'",
                            fix: "one of \(schemes.joined(separator: ", "))\(reader.suggestion(scheme, schemes))")
                    }
                }
                settings.secretEnv = signature["secret_env"].flatMap { reader.string($0, "push.signature.secret_env") }
                if settings.signatureScheme != nil, settings.secretEnv == nil {
                    reader.report(
                        signatureNode, "a signed push needs `secret_env`",
                        fix: "name the environment variable that holds the secret, e.g. `secret_env: ACME_WEBHOOK_SECRET`")
                }
                if let toleranceNode = signature["tolerance"], let text = reader.string(toleranceNode, "push.signature.tolerance") {
                    if let value = DurationText.parse(text), value >= .seconds(1) {
                        settings.tolerance = value
                    } else {
                        reader.report(toleranceNode, "tolerance '\(text)' is not a duration of at least 1s", fix: "e.g. 5m")
                    }
                }
            }
            if let limitNode = push["rate_limit"], let limit = reader.mapping(limitNode, "push.rate_limit") {
                reader.allowOnly(limit, ["capacity", "refill_per_second"], in: "push.rate_limit")
                if let capacity = limit["capacity"].flatMap({ reader.number($0, "push.rate_limit.capacity", above: 0) }),
                    let refill = limit["refill_per_second"].flatMap({ reader.number($0, "push.rate_limit.refill_per_second", above: 0) })
                {
                    settings.rateLimit = SourceDefinition.RateLimit(capacity: capacity, refillPerSecond: refill)
                } else {
                    reader.report(
                        limitNode, "push.rate_limit needs both capacity and refill_per_second",
                        fix: "e.g. `rate_limit: { capacity: 2000, refill_per_second: 1000 }`")
                }
            }
            if let bodyNode = push["max_body_bytes"], let bytes = reader.integer(bodyNode, "push.max_body_bytes", in: 1...(64 * 1_048_576)) {
                settings.maxBodyBytes = bytes
            }
            definition.push = settings
        }
        if let node = top["rules"] { definition.rules = NormalizationRulesLoader.read(node, reader: &reader) }
        definition.maxConcurrent = top["max_concurrent"].flatMap { reader.integer($0, "max_concurrent", in: 1...1_000) }
        definition.dailyQuota = top["daily_quota"].flatMap { reader.integer($0, "daily_quota", in: 1...10_000_000) }
        if let node = top["timeouts"], let timeouts = reader.mapping(node, "timeouts") {
            reader.allowOnly(timeouts, ["connect_ms", "total_ms"], in: "timeouts")
            definition.connectTimeout = timeouts["connect_ms"].flatMap { reader.integer($0, "timeouts.connect_ms", in: 1...120_000) }.map { .milliseconds($0) }
            definition.totalTimeout = timeouts["total_ms"].flatMap { reader.integer($0, "timeouts.total_ms", in: 1...600_000) }.map { .milliseconds($0) }
        }
        if let node = top["symbols"], let map = reader.mapping(node, "symbols") {
            if !isDeclarative {
                reader.report(
                    node, "symbols: maps symbols for declarative sources only", fix: "remove it; connector '\(definition.connector)' knows its venue's symbols")
            } else {
                var venues: [String: String] = [:]
                for (k, v) in map {
                    guard let canonical = reader.string(k, "symbols key"), let venue = reader.string(v, "symbols.\(canonical)") else { continue }
                    if let other = venues[venue] {
                        reader.report(v, "symbols: '\(venue)' is the venue's form of both '\(other)' and '\(canonical)'", fix: "map each venue symbol once")
                        continue
                    }
                    venues[venue] = canonical
                    definition.symbolMap[canonical] = venue
                }
            }
        }
        if let node = top["endpoints"], let list = reader.mapping(node, "endpoints"), Self.within(list.count, Self.maxEndpoints, "endpoints", node, &reader) {
            for (keyNode, value) in list {
                guard let name = reader.string(keyNode, "endpoint name") else { continue }
                if let endpoints, !endpoints.contains(name) {
                    reader.report(
                        keyNode, "connector '\(definition.connector)' has no endpoint '\(name)'",
                        fix: "use one of: \(reader.choices(endpointNames))\(reader.suggestion(name, endpointNames))")
                    continue
                }
                guard let settings = reader.mapping(value, "endpoints.\(name)") else { continue }
                if isDeclarative {
                    reader.allowOnly(
                        settings, ["weight", "path", "query", "kind", "records", "symbol_field", "time_field", "time_format", "interval", "fields"],
                        in: "endpoints.\(name)")
                    if let endpoint = Self.declarative(settings, name: name, node: value, reader: &reader) { definition.declarativeEndpoints[name] = endpoint }
                } else {
                    reader.allowOnly(settings, ["weight"], in: "endpoints.\(name)")
                }
                if let weight = settings["weight"].flatMap({ reader.number($0, "endpoints.\(name).weight", above: 0) }) {
                    definition.endpointWeights[name] = weight
                }
            }
        }
        if let node = top["poll"], let entries = reader.sequence(node, "poll"), Self.within(entries.count, Self.maxPollEntries, "poll entries", node, &reader) {
            for (index, entry) in entries.enumerated() {
                guard let poll = reader.mapping(entry, "poll[\(index)]") else { continue }
                reader.allowOnly(poll, ["endpoint", "symbols", "every", "params"], in: "poll[\(index)]")
                guard let endpointNode = poll["endpoint"], let endpoint = reader.string(endpointNode, "poll[\(index)].endpoint") else {
                    reader.report(entry, "poll[\(index)] has no endpoint", fix: "add `endpoint: <name>`")
                    continue
                }
                if let endpoints, !endpoints.contains(endpoint) {
                    reader.report(
                        endpointNode, "poll[\(index)] names endpoint '\(endpoint)', which connector '\(definition.connector)' does not have",
                        fix: "use one of: \(reader.choices(endpointNames))\(reader.suggestion(endpoint, endpointNames))")
                }
                let symbols = poll["symbols"].flatMap { reader.strings($0, "poll[\(index)].symbols") } ?? []
                guard let everyNode = poll["every"], let text = reader.string(everyNode, "poll[\(index)].every") else {
                    reader.report(entry, "poll[\(index)] has no `every`", fix: "add e.g. `every: 5s` (ms, s, m, h, d)")
                    continue
                }
                guard let every = DurationText.parse(text), every >= .milliseconds(100) else {
                    reader.report(everyNode, "poll[\(index)].every '\(text)' is not a duration of at least 100ms", fix: "write e.g. 500ms, 5s, 1m, 1h")
                    continue
                }
                var parameters: [String: String] = [:]
                if let paramsNode = poll["params"], let params = reader.mapping(paramsNode, "poll[\(index)].params") {
                    for (k, v) in params {
                        if let key = reader.string(k, "param name"), let value = reader.string(v, "param \(key)") { parameters[key] = value }
                    }
                }
                definition.poll.append(.init(endpoint: endpoint, symbols: symbols, every: every, parameters: parameters))
            }
        }
        return (definition, reader.problems)
    }

    /// The directory's entries; nil when it does not exist (a search path that is not there is
    /// not a mistake) or cannot be listed — the latter reported, so a directory the process
    /// may not read, or a file named where a directory belongs, does not silently drop sources.
    private static func listing(_ directory: String, into result: inout Result) -> [String]? {
        do {
            return try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            guard FileManager.default.fileExists(atPath: directory) else { return nil }
            result.problems.append(
                ConfigProblem(
                    file: directory, line: 1, column: 1,
                    message: "cannot list this Sources.d directory (\(error.localizedDescription))",
                    fix: "point the sources directory at a folder of *.yaml files that this user can read"
                ))
            return nil
        }
    }

    static func tooLarge(file: String, bytes: Int) -> ConfigProblem {
        ConfigProblem(
            file: file, line: 1, column: 1, message: "the file is \(bytes) bytes; a Sources.d file may hold at most \(Self.maxFileBytes) bytes",
            fix: "split it into one file per source, or describe fewer endpoints")
    }

    /// True when `count` is within `limit`; otherwise reports the limit on `node`.
    static func within(_ count: Int, _ limit: Int, _ what: String, _ node: Node, _ reader: inout NodeReader) -> Bool {
        guard count > limit else { return true }
        reader.report(node, "\(count) \(what); a Sources.d file may hold at most \(limit)", fix: "split the source into several files, or list fewer \(what)")
        return false
    }

    /// Reads one declarative endpoint; problems are reported on its lines.
    static func declarative(_ settings: Node.Mapping, name: String, node: Node, reader: inout NodeReader) -> DeclarativeEndpoint? {
        let what = "endpoints.\(name)"
        guard let pathNode = settings["path"], let path = reader.string(pathNode, "\(what).path"), path.hasPrefix("/") else {
            reader.report(settings["path"] ?? node, "\(what) needs a `path` starting with /", fix: "e.g. `path: /v1/ticker/{symbol}`")
            return nil
        }
        // A dot segment would climb out of the base URL's path (`/v1/../admin`), percent-encoded or not.
        let segments = path.lowercased().replacingOccurrences(of: "%2e", with: ".").split(separator: "/", omittingEmptySubsequences: false)
        guard !segments.contains(where: { $0 == ".." || $0 == "." }) else {
            reader.report(
                pathNode, "\(what).path '\(path.prefix(200))' has a '.' or '..' segment",
                fix: "write the endpoint's full path from the base URL, without dot segments")
            return nil
        }
        let kindText = settings["kind"].flatMap { reader.string($0, "\(what).kind") } ?? ""
        guard let kind = Record.Kind(rawValue: kindText), DeclarativeEndpoint.kinds.contains(kind) else {
            reader.report(
                settings["kind"] ?? node, "\(what).kind '\(kindText)' is not supported declaratively",
                fix: "use quote, bar or trade (other kinds need a Swift connector)")
            return nil
        }
        var endpoint = DeclarativeEndpoint(path: path, kind: kind)
        if let problem = DeclarativeEndpoint.placeholderProblem(path) {
            reader.report(pathNode, "\(what).path: \(problem)", fix: "write {symbol} where the symbol goes")
        }
        if let queryNode = settings["query"], let query = reader.mapping(queryNode, "\(what).query") {
            for (k, v) in query {
                guard let key = reader.string(k, "query name"), let value = reader.string(v, "query \(key)") else { continue }
                endpoint.query[key] = value
                if let problem = DeclarativeEndpoint.placeholderProblem(value) {
                    reader.report(v, "\(what).query.\(key): \(problem)", fix: "write {symbol} where the symbol goes")
                }
            }
        }
        endpoint.records = settings["records"].flatMap { reader.string($0, "\(what).records") } ?? ""
        endpoint.symbolField = settings["symbol_field"].flatMap { reader.string($0, "\(what).symbol_field") }
        endpoint.timeField = settings["time_field"].flatMap { reader.string($0, "\(what).time_field") }
        endpoint.interval = settings["interval"].flatMap { reader.string($0, "\(what).interval") }
        if let formatNode = settings["time_format"], let format = reader.string(formatNode, "\(what).time_format") {
            if DeclarativeEndpoint.timeFormats.contains(format) || format.hasPrefix("local:") {
                endpoint.timeFormat = format
            } else {
                reader.report(
                    formatNode, "\(what).time_format '\(format)' is unknown",
                    fix: "use \(DeclarativeEndpoint.timeFormats.joined(separator: ", ")) or local:<IANA zone>")
            }
        }
        let allowed = DeclarativeEndpoint.fieldsByKind[kind] ?? []
        if let fieldsNode = settings["fields"], let fields = reader.mapping(fieldsNode, "\(what).fields") {
            for (k, v) in fields {
                guard let field = reader.string(k, "field name"), let path = reader.string(v, "field \(field)") else { continue }
                if allowed.contains(field) {
                    endpoint.fields[field] = path
                } else {
                    reader.report(
                        k, "\(what).fields: '\(field)' is not a \(kind.rawValue) field",
                        fix: "use \(allowed.joined(separator: ", "))\(reader.suggestion(field, allowed))")
                }
            }
        }
        let required: [String] =
            switch kind {
            case .bar: ["open", "high", "low", "close"]
            case .trade: ["price", "size"]
            default: ["last"]
            }
        for field in required where endpoint.fields[field] == nil {
            reader.report(settings["fields"] ?? node, "\(what).fields needs '\(field)' for a \(kind.rawValue)", fix: "map it to the JSON path of that value")
        }
        if endpoint.timeField == nil {
            reader.report(node, "\(what) needs `time_field`", fix: "the JSON path of the as-of / start / trade time, with time_format")
        }
        if kind == .bar, endpoint.interval == nil { reader.report(node, "\(what) is a bar endpoint and needs `interval`", fix: "e.g. `interval: 1h`") }
        return endpoint
    }

    static let topLevelKeys = [
        "id", "name", "connector", "base_url", "auth", "rate_limit", "breaker", "retry", "max_concurrent", "daily_quota", "timeouts",
        "endpoints", "poll", "stale_after", "p95_target", "push", "rules", "symbols",
    ]
}
