import Foundation

/// A test hook: with `TRIBUTARY_TEST_IMPORT_STALL_AFTER=N` set, an import stops for up to ten
/// minutes after committing its N-th batch, so the kill -9 tests kill it at a known point
/// however fast the machine imports (a race against the clock would not be a test). It says so
/// on standard error, so a test waits for that line instead of opening the store the import is
/// writing (which raced with the import's own first open on a loaded machine). Unset, it costs
/// one environment lookup per import.
enum ImportStall {
    static let afterBatches: Int? = ProcessInfo.processInfo.environment["TRIBUTARY_TEST_IMPORT_STALL_AFTER"].flatMap(Int.init)

    /// What the hook prints when it stalls (tests wait for it).
    static func line(_ batches: Int) -> String { "tributary: test hook: stalled after batch \(batches)\n" }

    static func afterBatch(_ committed: Int) async throws {
        guard let stall = afterBatches, committed == stall else { return }
        FileHandle.standardError.write(Data(line(committed).utf8))
        try await Task.sleep(for: .seconds(600))
    }
}
