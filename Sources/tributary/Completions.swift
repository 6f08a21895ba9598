import ArgumentParser
import Connectors
import TributaryCore

/// What the shell completes for Tributary's arguments (bash, zsh and fish scripts from
/// `tributary --generate-completion-script SHELL`): source ids and endpoints from the Sources.d
/// files in effect, record kinds, and files by extension.
enum Completions {
    static let sources = CompletionKind.custom { _, _, prefix in sourceIDs().filter { $0.hasPrefix(prefix) } }

    /// The endpoints of the source named just before the word being completed (`fetch SOURCE ENDPOINT`).
    static let endpoints = CompletionKind.custom { words, index, prefix in
        guard index >= 1, index - 1 < words.count else { return [] }
        return endpointNames(of: words[index - 1]).filter { $0.hasPrefix(prefix) }
    }

    static let kinds = CompletionKind.list(Record.Kind.allCases.map(\.rawValue))
    static let csvFiles = CompletionKind.file(extensions: ["csv", "gz"])
    static let yamlFiles = CompletionKind.file(extensions: ["yaml", "yml"])
    static let formats = CompletionKind.list(["csv", "jsonl"])

    static func sourceIDs() -> [String] {
        SourceCatalog(directories: SourceDirectories.search()).sourceIDs.map(\.rawValue)
    }

    static func endpointNames(of source: String) -> [String] {
        let catalog = SourceCatalog(directories: SourceDirectories.search())
        guard let connector = try? catalog.connector(for: source, environment: [:]) else { return [] }
        return connector.endpoints.map(\.name)
    }
}
