import ServiceLifecycle

/// Runs a ``SinkWorker`` as a service: it ends when the buffer is finished and drained, which
/// the scheduler does at shutdown — so a graceful shutdown loses nothing that entered the buffer.
public struct SinkService: Service {
    public let worker: SinkWorker
    private let report: @Sendable (SinkWorker.Totals) -> Void

    public init(worker: SinkWorker, report: @escaping @Sendable (SinkWorker.Totals) -> Void = { _ in }) {
        self.worker = worker
        self.report = report
    }

    public func run() async throws {
        // The worker runs in its own task so that neither a graceful shutdown nor the group's
        // cancellation (the shutdown deadline) stops it early: it drains until the scheduler
        // finishes the buffer. Then it waits for its turn in the shutdown sequence (services stop
        // in reverse order, so the HTTP surface listed before it keeps answering until it ends).
        let worker = self.worker
        let totals = await Task { await worker.run() }.value
        report(totals)
        try? await gracefulShutdown()
    }
}
