// The least a Swift caller can cost per request, with no I/O at all: 64 tasks each asking a
// loop thread (woken through a pipe + poll, as libcurl's multi handle is) and being resumed
// by it. `pool`: tasks on Swift's global executor, resumed from the loop thread; `inline`: tasks
// on the loop thread's own executor, resumed there.
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

final class Loop: TaskExecutor, @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    private var commands: [UnsafeContinuation<Void, Never>] = []
    private var jobs: [UnownedJob] = []
    private let sleeping = Atomic<Bool>(false)
    private let wake: Int32
    private let wakeWrite: Int32
    let threadCPU = Atomic<Int>(0)
    private let stop = Atomic<Bool>(false)

    init() {
        pthread_mutex_init(&mutex, nil)
        var fds: [Int32] = [0, 0]
        _ = pipe(&fds)
        _ = fcntl(fds[0], F_SETFL, O_NONBLOCK)
        _ = fcntl(fds[1], F_SETFL, O_NONBLOCK)
        (wake, wakeWrite) = (fds[0], fds[1])
        Thread { [self] in run() }.start()
    }

    func submit(_ c: UnsafeContinuation<Void, Never>) {
        pthread_mutex_lock(&mutex); commands.append(c); pthread_mutex_unlock(&mutex)
        poke()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        pthread_mutex_lock(&mutex); jobs.append(job); pthread_mutex_unlock(&mutex)
        poke()
    }

    func finish() { stop.store(true, ordering: .relaxed); sleeping.store(false, ordering: .relaxed); var one: UInt64 = 1; _ = write(wakeWrite, &one, 8) }

    private func poke() {
        if sleeping.exchange(false, ordering: .sequentiallyConsistent) {
            var one: UInt64 = 1
            _ = write(wakeWrite, &one, 8)
        }
    }

    private func run() {
        var takenCommands: [UnsafeContinuation<Void, Never>] = []
        var takenJobs: [UnownedJob] = []
        let me = asUnownedTaskExecutor()
        while !stop.load(ordering: .relaxed) {
            pthread_mutex_lock(&mutex)
            swap(&takenCommands, &commands)
            swap(&takenJobs, &jobs)
            pthread_mutex_unlock(&mutex)
            for job in takenJobs { job.runSynchronously(on: me) }
            for c in takenCommands { c.resume() }
            takenJobs.removeAll(keepingCapacity: true)
            takenCommands.removeAll(keepingCapacity: true)
            sleeping.store(true, ordering: .sequentiallyConsistent)
            pthread_mutex_lock(&mutex)
            let idle = commands.isEmpty && jobs.isEmpty
            pthread_mutex_unlock(&mutex)
            if idle {
                var fd = pollfd(fd: wake, events: Int16(POLLIN), revents: 0)
                _ = poll(&fd, 1, 1000)
                var drain = [UInt8](repeating: 0, count: 64)
                _ = read(wake, &drain, 64)
            }
            sleeping.store(false, ordering: .sequentiallyConsistent)
        }
        var usage = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &usage)
        threadCPU.store(usage.tv_sec * 1_000_000_000 + usage.tv_nsec, ordering: .relaxed)
    }
}

func processCPU() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

@main
struct Floor {
    static func main() async {
        let arguments = CommandLine.arguments
        let mode = arguments.count > 1 ? arguments[1] : "pool"
        let total = arguments.count > 2 ? Int(arguments[2]) ?? 1_000_000 : 1_000_000
        let concurrency = 64
        let loop = Loop()
        let tickets = Atomic<Int>(0)
        let cpuBefore = processCPU()
        let started = ContinuousClock.now
        await withTaskExecutorPreference(mode == "inline" ? loop : nil) {
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<concurrency {
                    group.addTask {
                        while tickets.add(1, ordering: .relaxed).oldValue < total {
                            await withUnsafeContinuation { loop.submit($0) }
                        }
                    }
                }
            }
        }
        let seconds = (ContinuousClock.now - started) / .seconds(1)
        let cpu = processCPU() - cpuBefore
        loop.finish()
        try? await Task.sleep(for: .milliseconds(50))
        let loopCPU = Double(loop.threadCPU.load(ordering: .relaxed)) / 1e9
        print(
            #"{"mode":"\#(mode)","round_trips":\#(total),"per_s":\#(Int(Double(total) / seconds)),"process_cpu_us":\#(String(format: "%.2f", cpu * 1e6 / Double(total))),"loop_thread_cpu_us":\#(String(format: "%.2f", loopCPU * 1e6 / Double(total)))}"#
        )
    }
}
