import Synchronization

/// When a kind's rows are copied straight into its table instead of staged and merged.
///
/// A straight `COPY` is the database's own bulk-load speed, but PostgreSQL refuses it whole
/// when one key is already stored (or repeats in the batch), and the batch is then merged
/// after all — the attempt is wasted. An import of new rows never conflicts; a poller that
/// re-fetches the same bars conflicts on every batch. So after a conflict a table is merged
/// for the next few batches before a straight copy is tried again, and the pause doubles
/// while the conflicts go on (at most one wasted attempt in ``longestPause`` batches).
final class DirectCopyPolicy: Sendable {
    static let firstPause = 16
    static let longestPause = 1024

    private struct TableState {
        var skip = 0
        var pause = DirectCopyPolicy.firstPause
    }

    private let tables = Mutex<[String: TableState]>([:])

    /// Whether this batch of `table` should try the straight copy (counts a skipped batch).
    func shouldCopyDirectly(_ table: String) -> Bool {
        tables.withLock { tables in
            guard var state = tables[table], state.skip > 0 else { return true }
            state.skip -= 1
            tables[table] = state
            return false
        }
    }

    /// The straight copy went in: the next batch tries it too, and a later conflict pauses briefly.
    func copied(_ table: String) {
        tables.withLock { tables in tables[table] = nil }
    }

    /// The straight copy met a stored key: merge the next batches, longer each time in a row.
    func conflicted(_ table: String) {
        tables.withLock { tables in
            var state = tables[table] ?? TableState()
            state.skip = state.pause
            state.pause = min(state.pause * 2, Self.longestPause)
            tables[table] = state
        }
    }
}
