import App
import Foundation
import Pipeline
import Service

extension ServiceSettings {
    /// The settings of `tributary.yaml` (or `config`) and the environment, with `--store` over
    /// both; every bad value is reported at once, as the loader words it.
    static func load(config: String?, store: String?) async throws -> ServiceSettings {
        var settings: ServiceSettings
        let loader = ServiceSettingsLoader(filePath: config, environment: ProcessInfo.processInfo.environment)
        // Said, not fatal: the variable may be meant for another program.
        for unknown in loader.unknownVariables() { FileHandle.standardError.write(Data("warning: \(unknown)\n".utf8)) }
        do {
            settings = try await loader.load()
        } catch let problems as ServiceSettingsLoader.Problems {
            throw CLIError(problems.description)
        }
        if let store { settings.storeURL = store }
        return settings
    }

    /// The store these settings name (`--store` › `store.url` / `TRIBUTARY_STORE_URL` › `store.path`),
    /// parsed before anything is opened so a bad value names the part that is wrong.
    func store() throws -> StoreURL {
        do { return try StoreURL(parsing: storeText) } catch { throw CLIError("\(error)") }
    }

    /// Opens a store that must already exist (for reading commands), saying how to make one if not.
    func openExistingStore() async throws -> any RecordStore {
        if case .sqlite(let path) = try store(), !FileManager.default.fileExists(atPath: path) {
            throw CLIError("no store at \(path) (pass --store, or run `tributary run` or `tributary import` first)")
        }
        return try await openStore()
    }

    /// Opens the named store through the composition root, with these settings' limits.
    func openStore() async throws -> any RecordStore {
        try await StoreFactory.open(try store(), options: StoreFactory.Options(maxBytes: storeMaxBytes, deadLetterMaxBytes: deadLetterMaxBytes))
    }
}
