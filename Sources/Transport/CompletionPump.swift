/// Resumes finished requests' callers from the cooperative pool, a batch at a time.
///
/// Resuming a continuation from the loop thread wakes a sleeping pool thread for nearly every
/// request (a futex call and a context switch each). Instead the loop hands each iteration's
/// completions to this pump: one wake-up per batch, and none at all while the pump is still
/// busy with the previous batch; the pump's resumes, made from inside the pool, only queue work.
final class CompletionPump: @unchecked Sendable {
    struct Completion {
        let continuation: UnsafeContinuation<CompletedTransfer, any Error>
        let result: Result<CompletedTransfer, any Error>
    }

    private struct State {
        var pending: [Completion] = []
        var waiter: UnsafeContinuation<[Completion]?, Never>?
        var closed = false
    }

    private let state = PThreadLock(State())

    /// Called by the loop thread with the completions of one iteration.
    func deliver(_ batch: [Completion]) {
        guard !batch.isEmpty else { return }
        let handOff = state.withLock { state -> (UnsafeContinuation<[Completion]?, Never>, [Completion])? in
            guard let waiter = state.waiter else {
                state.pending.append(contentsOf: batch)
                return nil
            }
            state.waiter = nil
            let all = state.pending.isEmpty ? batch : state.pending + batch
            state.pending.removeAll(keepingCapacity: true)
            return (waiter, all)
        }
        if let (waiter, all) = handOff { waiter.resume(returning: all) }
    }

    /// After the last delivery: the pump resumes what is pending, then `run` returns.
    func close() {
        let waiter = state.withLock { state -> UnsafeContinuation<[Completion]?, Never>? in
            state.closed = true
            defer { state.waiter = nil }
            return state.pending.isEmpty ? state.waiter : nil
        }
        waiter?.resume(returning: nil)
    }

    /// The pump task's body.
    func run() async {
        while let batch = await next() {
            for completion in batch { completion.continuation.resume(with: completion.result) }
        }
    }

    private func next() async -> [Completion]? {
        await withUnsafeContinuation { continuation in
            let ready = state.withLock { state -> [Completion]?? in
                if !state.pending.isEmpty {
                    defer { state.pending.removeAll(keepingCapacity: true) }
                    return .some(state.pending)
                }
                if state.closed { return .some(nil) }
                state.waiter = continuation
                return .none
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }
}
