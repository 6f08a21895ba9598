import Foundation

/// A test hook: with `TRIBUTARY_TEST_IMPORT_STALL_AFTER=N` set, an import stops for up to ten
/// minutes after committing its N-th batch, so the kill -9 tests kill it at a known point
/// however fast the machine imports (a race against the clock would not be a test). Unset, it
/// costs one environment lookup per import.
enum ImportStall {
    static let afterBatches: Int? = ProcessInfo.processInfo.environment["TRIBUTARY_TEST_IMPORT_STALL_AFTER"].flatMap(Int.init)

    static func afterBatch(_ committed: Int) async throws {
        guard let stall = afterBatches, committed == stall else { return }
        try await Task.sleep(for: .seconds(600))
    }
}
