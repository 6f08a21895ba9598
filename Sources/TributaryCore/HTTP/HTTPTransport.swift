/// Sends HTTP requests: the seam between the engine and the network.
///
/// The production implementation is `Transport.HTTPClient` (one pooled libcurl multi
/// handle); tests use a fake from `TributaryTesting`. Implementations must be cancellable:
/// cancelling the calling task ends the exchange and throws `CancellationError`.
///
/// ```swift
/// let response = try await transport.send(HTTPRequest(url: "http://127.0.0.1:8080/api/v3/ticker/24hr?symbol=BTCUSDT"))
/// print(response.status, response.timings.total)
/// ```
public protocol HTTPTransport: Sendable {
    func send(_ request: HTTPRequest) async throws -> HTTPResponse

    /// Where the tasks that call ``send(_:)`` are best run, if the transport has a preference:
    /// the scheduler starts its polls there (`addTask(executorPreference:)`). Nil: anywhere.
    var callerExecutor: (any TaskExecutor)? { get }
}

extension HTTPTransport {
    public var callerExecutor: (any TaskExecutor)? { nil }
}
