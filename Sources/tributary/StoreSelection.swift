import App
import Foundation
import Pipeline
import Service

extension ServiceSettings {
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
