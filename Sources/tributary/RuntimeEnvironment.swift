import Configuration
import Connectors
import Foundation
import SystemPackage
import TributaryCore

/// The variables Tributary reads (keys, base URL overrides, the sources directory): the
/// process environment first, then a `.env` file for what the environment does not set.
///
/// The `.env` file is `TRIBUTARY_ENV_FILE`, else `./.env`; it may be missing. It is read with
/// swift-configuration's environment-file provider, so quoting and comments follow its rules.
/// Values are only passed to connectors; nothing here prints them.
enum RuntimeEnvironment {
    static func load() async throws -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        let named = environment["TRIBUTARY_ENV_FILE"]
        let path = named ?? ".env"
        // Without a file there is nothing to fill, and the catalog below (every Sources.d file
        // parsed) would only slow every command's start.
        if named == nil, !FileManager.default.fileExists(atPath: path) { return environment }
        let file: EnvironmentVariablesProvider
        do {
            file = try await EnvironmentVariablesProvider(environmentFilePath: FilePath(path), allowMissing: named == nil)
        } catch {
            throw CLIError("cannot read the environment file \(path): \(error) (set TRIBUTARY_ENV_FILE to another file, or remove it)")
        }
        let reader = ConfigReader(provider: file)
        func fill(_ name: String) {
            guard environment[name] == nil, let value = reader.string(forKey: configKey(name)) else { return }
            environment[name] = value
        }
        fill("TRIBUTARY_SOURCES_DIR")
        let catalog = SourceCatalog(directories: SourceDirectories.search(environment: environment))
        var names = Set(catalog.definitions.values.flatMap(\.credentialVariables))
        for id in catalog.sourceIDs {
            names.insert(ConnectorRegistry.environmentKey(for: id))
            if let connector = try? ConnectorRegistry.connector(for: id.rawValue, definition: catalog.definitions[id], environment: [:]) {
                names.formUnion(connector.endpoints.flatMap(\.credentials))
            }
        }
        names.formUnion(["COINGECKO_API_KEY", "YAHOO_CRUMB", "YAHOO_COOKIE"])
        for name in names { fill(name) }
        return environment
    }

    /// `FINNHUB_API_KEY` → `finnhub.api.key`, the key swift-configuration's environment
    /// provider maps back to that variable.
    static func configKey(_ variable: String) -> ConfigKey {
        ConfigKey(variable.lowercased().split(separator: "_").map(String.init))
    }
}
