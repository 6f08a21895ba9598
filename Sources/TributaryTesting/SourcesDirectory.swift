import Foundation

/// A Sources.d of a test's own: a fresh temporary folder holding the given source files,
/// removed when the value goes away.
///
/// ```swift
/// let sources = try SourcesDirectory(["binance.yaml": "id: binance\n..."])
/// let catalog = SourceCatalog(directories: [sources.path])
/// ```
public final class SourcesDirectory: Sendable {
    public let path: String

    public init(_ files: [String: String]) throws {
        path = NSTemporaryDirectory() + "tributary-sources-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        for (name, text) in files { try text.write(toFile: path + "/" + name, atomically: true, encoding: .utf8) }
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }
}
