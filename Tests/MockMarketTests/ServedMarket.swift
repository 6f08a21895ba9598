import MockMarket
import ServiceLifecycle
import Testing

/// Runs `market` on a free loopback port for as long as `body` takes, and hands it the port.
func serving<Result>(_ market: MockMarket, _ body: (_ port: Int) async throws -> Result) async throws -> Result {
    let ports = AsyncStream<Int>.makeStream()
    let app = market.application(port: 0) { port in ports.continuation.yield(port) }
    let server = Task { try await app.run() }
    defer { server.cancel() }
    var iterator = ports.stream.makeAsyncIterator()
    let port = try #require(await iterator.next())
    return try await body(port)
}
