import Synchronization
import TributaryCore

/// An ``HTTPTransport`` that answers from a closure and remembers what it was asked.
///
/// For engine tests that are about what happens around a request (decode, provenance,
/// buffer), not about the network; transport tests use ``LoopbackServer`` instead.
public final class FakeTransport: HTTPTransport, Sendable {
    public typealias Responder = @Sendable (HTTPRequest) throws -> HTTPResponse

    private let responder: Responder
    private let log = Mutex<[HTTPRequest]>([])

    public init(responder: @escaping Responder) {
        self.responder = responder
    }

    /// Always answers 200 with this body.
    public convenience init(body: [UInt8], status: Int = 200, headers: HTTPHeaders = [:]) {
        self.init { _ in HTTPResponse(status: status, headers: headers, body: body) }
    }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        log.withLock { $0.append(request) }
        return try responder(request)
    }

    /// Every request sent so far, in order.
    public var requests: [HTTPRequest] { log.withLock { $0 } }
}
