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
        // Not cancelled by a graceful shutdown: it drains until the scheduler finishes the buffer,
        // then waits for its own turn in the group's shutdown sequence (services stop in reverse order).
        let totals = await worker.run()
        report(totals)
        try? await gracefulShutdown()
    }
}
