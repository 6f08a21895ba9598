import TributaryCore

/// The production ``HTTPTransport``: every request goes through one pooled libcurl multi handle.
///
/// Create one per process and share it. Connections, DNS answers and TLS sessions are reused
/// across all requests; the loop thread does the I/O, so no Swift task ever blocks. Cancelling
/// the task that awaits `send` aborts the transfer and returns its handle to the pool.
///
/// ```swift
/// let client = HTTPClient()
/// let response = try await client.send(HTTPRequest(url: "http://127.0.0.1:8080/health"))
/// await client.shutdown()
/// ```
public final class HTTPClient: HTTPTransport, @unchecked Sendable {
    private let loop: CurlMultiLoop

    public var configuration: PoolConfiguration { loop.pool }

    /// Tasks that prefer it are resumed by the loop thread directly (see ``CompletionExecutor``).
    public var callerExecutor: (any TaskExecutor)? { CompletionExecutor.shared }

    public init(configuration: PoolConfiguration = PoolConfiguration()) {
        loop = CurlMultiLoop(pool: configuration)
    }

    deinit {
        // A client dropped without `shutdown()` still stops its thread; nobody waits for it.
        loop.submitShutdownWithoutWaiting()
    }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let transfer = CurlTransfer(request: request, sizes: loop.sizes, resumesDirectly: CompletionExecutor.shared.isCurrent)
        let completed = try await withTaskCancellationHandler {
            // Unsafe (unchecked) continuation: the loop resumes each transfer exactly once by
            // construction (see CurlTransfer.finish), and this saves an allocation per request.
            try await withUnsafeThrowingContinuation { continuation in
                transfer.continuation = continuation
                if !loop.submit(.start(transfer)) {
                    transfer.continuation = nil
                    continuation.resume(throwing: TransportError.shutDown)
                }
            }
        } onCancel: {
            loop.submit(.cancel(transfer))
        }
        return completed.response
    }

    /// Fails transfers still in flight with ``TransportError`` `shutDown`, closes every
    /// connection and stops the loop thread. Later `send` calls throw `shutDown`.
    public func shutdown() async {
        await withCheckedContinuation { continuation in
            if !loop.submit(.shutdown(continuation)) {
                continuation.resume()
            }
        }
    }
}

extension CurlMultiLoop {
    func submitShutdownWithoutWaiting() {
        Task.detached { [self] in
            await withCheckedContinuation { continuation in
                if !submit(.shutdown(continuation)) { continuation.resume() }
            }
        }
    }
}
