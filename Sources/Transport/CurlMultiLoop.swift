import CCurl
import Foundation
import Synchronization
import TributaryCore

#if canImport(Glibc)
    import Glibc
#endif

/// The thread that owns the libcurl multi handle.
///
/// libcurl handles must never be used from two threads at once, and a Swift task must never
/// block in `poll(2)`; so one dedicated thread runs `curl_multi_perform` / `curl_multi_poll`
/// and everything else only appends a command and, if the thread is asleep, calls
/// `curl_multi_wakeup`. Commands and completions are handled in batches: one wake-up serves
/// every command queued since the last one. Callers are resumed through ``CompletionPump``, or
/// straight from this thread when they wait on ``CompletionExecutor``.
///
/// States: running → draining (shutdown asked; active transfers are failed) → stopped.
final class CurlMultiLoop: @unchecked Sendable {
    enum Command {
        case start(CurlTransfer)
        case cancel(CurlTransfer)
        case shutdown(CheckedContinuation<Void, Never>)
    }

    let pool: PoolConfiguration
    let pump = CompletionPump()
    /// What callers reserve for each response, from the last one completed.
    let sizes = ResponseSizeHint()
    private let multi: UnsafeMutableRawPointer
    private let commands = PThreadLock<(queue: [Command], accepting: Bool)>(([], true))
    /// True while the loop is (about to be) blocked in `curl_multi_poll`; whoever flips it
    /// back to false owes the wake-up.
    private let sleeping = Atomic<Bool>(false)

    // Confined to the loop thread.
    private var idleHandles: [CurlEasyHandle] = []
    private var activeCount = 0
    /// Transfers added to the multi handle (each holds its easy handle in its state).
    private var runningTransfers: [ObjectIdentifier: CurlTransfer] = [:]
    /// Callers to resume at the end of this iteration: through the pump, in one batch, or, for
    /// those waiting on ``CompletionExecutor``, from this thread.
    private var completed: [CompletionPump.Completion] = []
    private var completedDirect: [CompletionPump.Completion] = []

    init(pool: PoolConfiguration) {
        CurlGlobal.initializeOnce()
        self.pool = pool
        guard let multi = curl_multi_init() else { fatalError("curl_multi_init failed: out of memory") }
        self.multi = multi
        ccurl_multi_setopt_long(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, pool.maxConnections)
        ccurl_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, pool.maxConnectionsPerHost)
        ccurl_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, pool.maxIdleConnections)
        ccurl_multi_setopt_long(multi, CURLMOPT_PIPELINING, pool.http2Multiplexing ? Int(CURLPIPE_MULTIPLEX) : 0)
        ccurl_multi_setopt_long(multi, CURLMOPT_MAX_CONCURRENT_STREAMS, pool.maxConcurrentStreams)
        Task.detached { [pump] in await pump.run() }
        let thread = Thread { [self] in run() }
        thread.name = "tributary-curl"
        thread.start()
    }

    /// Hands a command to the loop thread; false when the loop no longer accepts work.
    @discardableResult
    func submit(_ command: Command) -> Bool {
        let accepted = commands.withLock { state -> Bool in
            switch command {
            case .start where !state.accepting: return false
            case .shutdown:
                guard state.accepting else { return false }
                state.accepting = false
                state.queue.append(command)
                return true
            default:
                state.queue.append(command)
                return true
            }
        }
        if sleeping.exchange(false, ordering: .sequentiallyConsistent) {
            curl_multi_wakeup(multi)
        }
        return accepted
    }

    // MARK: The loop thread

    private func run() {
        var running: Int32 = 0
        var shutdownWaiters: [CheckedContinuation<Void, Never>] = []
        let pollMilliseconds = Int32(CurlEasyHandle.milliseconds(pool.pollInterval))
        while true {
            let batch = commands.withLock { state -> [Command] in
                defer { state.queue.removeAll(keepingCapacity: true) }
                return state.queue
            }
            for command in batch {
                switch command {
                case .start(let transfer): start(transfer)
                case .cancel(let transfer): cancel(transfer, with: CancellationError())
                case .shutdown(let waiter): shutdownWaiters.append(waiter)
                }
            }
            if !shutdownWaiters.isEmpty {
                failAllRunning(with: TransportError.shutDown)
                flushCompletions()
                break
            }
            curl_multi_perform(multi, &running)
            readCompletions()
            flushCompletions()

            sleeping.store(true, ordering: .sequentiallyConsistent)
            let idle = commands.withLock { $0.queue.isEmpty }
            if idle {
                curl_multi_poll(multi, nil, 0, pollMilliseconds, nil)
            }
            sleeping.store(false, ordering: .sequentiallyConsistent)
        }
        idleHandles.removeAll()
        curl_multi_cleanup(multi)
        // Anything that arrived after the shutdown command is refused by `submit`, except
        // cancellations of already-failed transfers, which need nothing.
        pump.close()
        for waiter in shutdownWaiters { waiter.resume() }
    }

    private func start(_ transfer: CurlTransfer) {
        guard case .created = transfer.state else {
            if case .cancelledEarly = transfer.state { complete(transfer, .failure(CancellationError())) }
            return
        }
        let easy: CurlEasyHandle
        if let reused = idleHandles.popLast() {
            easy = reused
        } else if let fresh = CurlEasyHandle(pool: pool) {
            easy = fresh
        } else {
            complete(transfer, .failure(TransportError.other(code: Int(CURLE_OUT_OF_MEMORY.rawValue), "curl_easy_init failed")))
            return
        }
        if let problem = easy.configure(for: transfer, pool: pool) {
            recycle(easy)
            complete(transfer, .failure(TransportError.invalidRequest(problem)))
            return
        }
        let added = curl_multi_add_handle(multi, easy.raw)
        guard added == CURLM_OK else {
            recycle(easy)
            complete(transfer, .failure(TransportError.other(code: Int(added.rawValue), String(cString: curl_multi_strerror(added)))))
            return
        }
        transfer.state = .running(easy)
        runningTransfers[ObjectIdentifier(transfer)] = transfer
    }

    private func cancel(_ transfer: CurlTransfer, with error: any Error) {
        switch transfer.state {
        case .created:
            transfer.state = .cancelledEarly
        case .running(let easy):
            curl_multi_remove_handle(multi, easy.raw)
            runningTransfers[ObjectIdentifier(transfer)] = nil
            recycle(easy)
            complete(transfer, .failure(error))
        case .cancelledEarly, .finished:
            break
        }
    }

    private func complete(_ transfer: CurlTransfer, _ result: Result<CompletedTransfer, any Error>) {
        guard let completion = transfer.finish(result) else { return }
        if transfer.resumesDirectly {
            completedDirect.append(completion)
        } else {
            completed.append(completion)
        }
    }

    /// Resumes the callers waiting on ``CompletionExecutor`` (each resume only queues a job
    /// there) and hands the rest to the pump in one batch.
    private func flushCompletions() {
        if !completedDirect.isEmpty {
            for completion in completedDirect { completion.continuation.resume(with: completion.result) }
            completedDirect.removeAll(keepingCapacity: true)
        }
        guard !completed.isEmpty else { return }
        pump.deliver(completed)
        completed.removeAll(keepingCapacity: true)
    }

    private func failAllRunning(with error: any Error) {
        for transfer in Array(runningTransfers.values) { cancel(transfer, with: error) }
    }

    private func readCompletions() {
        var left: Int32 = 0
        while let message = curl_multi_info_read(multi, &left) {
            guard message.pointee.msg == CURLMSG_DONE, let raw = message.pointee.easy_handle else { continue }
            let result = ccurl_msg_result(message)
            var opaque: UnsafeMutableRawPointer?
            ccurl_easy_getinfo_ptr(raw, CURLINFO_PRIVATE, &opaque)
            curl_multi_remove_handle(multi, raw)
            guard let opaque else { continue }
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(opaque).takeUnretainedValue()
            guard runningTransfers.removeValue(forKey: ObjectIdentifier(transfer)) != nil,
                case .running(let easy) = transfer.state
            else { continue }
            if result == CURLE_OK {
                sizes.observe(bodyBytes: transfer.body.count, headerBytes: transfer.rawHeaders.count)
                let response = easy.response(for: transfer)
                recycle(easy)
                complete(transfer, .success(response))
            } else {
                transfer.errorDetail = easy.errorMessage
                let error = CurlError.transportError(result, easy: easy.raw, transfer: transfer)
                recycle(easy)
                complete(transfer, .failure(error))
            }
        }
    }

    private func recycle(_ easy: CurlEasyHandle) {
        // Beyond the cap the handle is released, and its deinit cleans it up.
        if idleHandles.count < pool.maxIdleHandles { idleHandles.append(easy) }
    }
}

/// `curl_global_init` must run once per process before any handle exists.
enum CurlGlobal {
    private static let initialized: Bool = {
        curl_global_init(Int(CURL_GLOBAL_ALL))
        return true
    }()

    static func initializeOnce() {
        _ = initialized
    }
}
