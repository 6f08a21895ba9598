import App
import Pipeline
import Service

extension ServiceSettings {
    /// The store these settings name (`--store` › `store.url` / `TRIBUTARY_STORE_URL` › `store.path`),
    /// parsed before anything is opened so a bad value names the part that is wrong.
    func store() throws -> StoreURL {
        do { return try StoreURL(parsing: storeText) } catch { throw CLIError("\(error)") }
    }

    /// Opens the named store through the composition root, with these settings' limits.
    func openStore() throws -> any RecordStore {
        try StoreFactory.open(try store(), options: StoreFactory.Options(maxBytes: storeMaxBytes, deadLetterMaxBytes: deadLetterMaxBytes))
    }
}
