import Foundation
import TributaryCore

/// The sources of this run: Sources.d definitions merged with the built-in connectors.
///
/// Loaded once at start. A source whose file has mistakes is reported, not half-used.
public struct SourceCatalog: Sendable {
    public let definitions: [SourceID: SourceDefinition]
    public let problems: [ConfigProblem]
    /// Sources with a file that has mistakes, and those mistakes.
    public let brokenSources: [SourceID: [ConfigProblem]]
    public let files: [String]
    public let directories: [String]

    public init(directories: [String] = SourceDirectories.search()) {
        let result = SourceDefinitionLoader.load(directories: directories, knownConnectors: ConnectorRegistry.knownConnectors)
        definitions = result.definitions
        problems = result.problems
        brokenSources = result.brokenSources
        files = result.files
        self.directories = directories
    }

    /// Every source id: those with a definition and those with a built-in connector.
    public var sourceIDs: [SourceID] {
        Array(Set(definitions.keys).union(ConnectorRegistry.sourceIDs)).sorted()
    }

    /// Poll entries the source's connector would refuse (an unknown endpoint, a parameter the
    /// endpoint does not take, a bad symbol), found by building each request once with stand-in
    /// credentials — so `sources check` and `run` report them at start, not at every poll.
    public func pollProblems() -> [String] {
        var problems: [String] = []
        for id in definitions.keys.sorted() {
            guard let definition = definitions[id], !definition.poll.isEmpty, brokenSources[id] == nil,
                let bare = try? connector(for: id.rawValue, environment: [:])
            else { continue }
            var standIns: [String: String] = [:]
            for name in definition.credentialVariables + bare.endpoints.flatMap(\.credentials) { standIns[name] = "stand-in" }
            guard let connector = try? connector(for: id.rawValue, environment: standIns) else { continue }
            for (index, poll) in definition.poll.enumerated() {
                do {
                    _ = try connector.request(for: EndpointCall(poll.endpoint, symbols: poll.symbols, parameters: poll.parameters), at: .now())
                } catch {
                    switch error.code {
                    case .unknownEndpoint, .invalidArgument:
                        problems.append("\(definition.file): poll[\(index)] (\(poll.endpoint)): \(error)")
                    default:
                        continue
                    }
                }
            }
        }
        return problems
    }

    /// A configured connector for `id`, or why not.
    public func connector(for id: String, baseURL: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(ConnectorError) -> any Connector
    {
        let source = SourceID(id.lowercased())
        if let broken = brokenSources[source] {
            throw ConnectorError(
                .invalidArgument, source: source,
                "its Sources.d file has mistakes:\n" + broken.map { "  \($0)" }.joined(separator: "\n"))
        }
        return try ConnectorRegistry.connector(for: id, definition: definitions[source], baseURL: baseURL, environment: environment)
    }
}
