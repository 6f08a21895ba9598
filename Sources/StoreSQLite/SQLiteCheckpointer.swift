import Foundation
import GRDB
import TributaryCore

/// Copies the write-ahead log into the database file on a thread of its own, so the store's
/// writer rarely waits for the disk.
///
/// Why: in WAL mode SQLite checkpoints from the connection that commits, once the log passes
/// 1,000 pages: that commit then copies the pages and waits for two `fdatasync`s (log, then
/// file). Under a steady push load that was the writer's longest stall — a batch of 5,000 trades
/// took 20 ms of CPU but up to several times that while the disk flushed, the buffer filled, and
/// `POST /ingest` answered 429 (Docs/PERFORMANCE.md, "fourteenth figures"). Here a second
/// connection runs a `PASSIVE` checkpoint after commits, at most one per ``minimumSpacing``;
/// passive checkpoints never block the writer or readers. SQLite's own checkpoint in the writer
/// stays as it is, so the log stays bounded (~4 MB) exactly as before: when it runs, it finds
/// most pages already copied and flushed, and its waits are short.
///
/// Durability is unchanged: a commit is in the log before the write returns; who copies it into
/// the file later does not matter to a crash or `kill -9`.
final class SQLiteCheckpointer: @unchecked Sendable {
    /// What the thread has done, for tests and diagnostics.
    struct Counts: Sendable, Equatable {
        /// Checkpoints run (including those that found nothing to copy).
        var passes = 0
        /// Log frames copied into the file over all passes.
        var framesCopied = 0
        /// Passes that failed (the writer's own checkpoint still bounds the log); the last reason.
        var failures = 0
        var lastFailure: String?
    }

    let minimumSpacing: Duration
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var pending = false
    private var stopping = false
    private var running = true
    private var counts = Counts()

    /// Opens a second connection to the store's file and starts the thread.
    init(path: String, minimumSpacing: Duration = .milliseconds(50)) throws {
        self.minimumSpacing = minimumSpacing
        var configuration = Configuration()
        configuration.label = "tributary checkpointer"
        let connection = try DatabaseQueue(path: path, configuration: configuration)
        let thread = Thread { [self] in run(connection) }
        thread.name = "tributary-ckpt"
        thread.start()
    }

    /// Called after each commit: the thread checkpoints soon (once for any number of calls).
    func noteCommit() {
        condition.lock()
        if !pending {
            pending = true
            condition.signal()
        }
        condition.unlock()
    }

    /// Stops the thread and waits for it (a checkpoint under way finishes first).
    func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        while running { condition.wait() }
        condition.unlock()
    }

    var snapshot: Counts {
        condition.lock()
        defer { condition.unlock() }
        return counts
    }

    private func run(_ connection: DatabaseQueue) {
        while waitForWork() {
            let outcome: Result<Int, any Error> = Result {
                try connection.writeWithoutTransaction { db in try db.checkpoint(.passive).checkpointedFrameCount }
            }
            condition.lock()
            counts.passes += 1
            switch outcome {
            case .success(let copied):
                counts.framesCopied += max(0, copied)
            case .failure(let error as DatabaseError) where error.resultCode == .SQLITE_BUSY:
                // The writer's own checkpoint is running: it does this pass's work.
                break
            case .failure(let error):
                counts.failures += 1
                counts.lastFailure = "\(error)"
            }
            // At most one pass per spacing: each flushes the file, and commits come far more often.
            let until = Date(timeIntervalSinceNow: minimumSpacing.fractionalSeconds)
            while !stopping, condition.wait(until: until) {}
            condition.unlock()
        }
        condition.lock()
        running = false
        condition.broadcast()
        condition.unlock()
    }

    /// Waits for a commit to copy; false once stopping.
    private func waitForWork() -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while !pending, !stopping { condition.wait() }
        pending = false
        return !stopping
    }
}
