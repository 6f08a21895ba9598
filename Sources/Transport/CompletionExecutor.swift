import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A task executor on one dedicated thread, for the tasks that wait on the transport.
///
/// A caller parked in ``HTTPClient/send(_:)`` is normally resumed through ``CompletionPump``:
/// the loop thread wakes the pump on the cooperative pool, the pump resumes the callers, and
/// the pool wakes threads to run them — two hops and, at 50,000 requests a second, about one
/// context switch for every two requests. A task that prefers this executor
/// (`Task(executorPreference: CompletionExecutor.shared)`, or a task group's
/// `addTask(executorPreference:)`) is resumed by the loop thread directly: the resume appends
/// the task's job to this executor's queue and signals its thread only if it is waiting, the
/// way a C program hands finished transfers to a worker thread. The scheduler's polls run here.
///
/// One thread, so the work of every task that prefers it (decoding, normalizing) is done one
/// after the other: meant for what awaits the network, not for CPU-heavy batch work. It lives
/// as long as the process, like the cooperative pool's threads: a task may still prefer it
/// after every client that used it is shut down.
public final class CompletionExecutor: TaskExecutor, @unchecked Sendable {
    /// The process's one instance.
    public static let shared = CompletionExecutor()

    private var mutex = pthread_mutex_t()
    private var condition = pthread_cond_t()
    // Guarded by `mutex`.
    private var queue: [UnownedJob] = []
    private var waiting = false
    /// The thread's `pthread_self()`, set before it runs any job.
    private let threadID = Atomic<UInt>(0)

    private init() {
        pthread_mutex_init(&mutex, nil)
        pthread_cond_init(&condition, nil)
        let thread = Thread { [self] in run() }
        thread.name = "tributary-callers"
        thread.start()
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        pthread_mutex_lock(&mutex)
        queue.append(job)
        let wake = waiting
        pthread_mutex_unlock(&mutex)
        if wake { pthread_cond_signal(&condition) }
    }

    /// Whether the calling code runs on this executor's thread, so a task suspended here will
    /// be resumed here.
    public var isCurrent: Bool {
        threadID.load(ordering: .relaxed) == UInt(pthread_self())
    }

    /// Runs what was queued, a batch at a time; sleeps on the condition only when nothing is.
    private func run() {
        threadID.store(UInt(pthread_self()), ordering: .relaxed)
        var batch: [UnownedJob] = []
        while true {
            pthread_mutex_lock(&mutex)
            while queue.isEmpty {
                waiting = true
                pthread_cond_wait(&condition, &mutex)
                waiting = false
            }
            swap(&batch, &queue)
            pthread_mutex_unlock(&mutex)
            for job in batch { job.runSynchronously(on: asUnownedTaskExecutor()) }
            batch.removeAll(keepingCapacity: true)
        }
    }
}
