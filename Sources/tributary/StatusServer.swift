import Engine
import Foundation
import Hummingbird
import Logging
import TributaryCore

/// The aggregator's HTTP surface so far: `/health` (200 while serving) and `/sources` (each
/// source's resilience state, next allowed time, reason and latency percentiles, as JSON).
enum StatusServer {
    static func application(engine: IngestionEngine, port: Int, onListening: @escaping @Sendable (Int) async -> Void) -> some ApplicationProtocol {
        let router = Router()
        router.get("health") { _, _ in "ok\n" }
        router.get("sources") { _, _ -> Response in
            let items = engine.guards.keys.sorted().map { id -> JSONValue in
                let status = engine.guards[id]!.status
                let latency = engine.latency.snapshot(source: id)
                func ms(_ d: Duration?) -> JSONValue {
                    guard let d else { return .null }
                    return .number(String(format: "%.3f", Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15))
                }
                return .object(JSONObject([
                    ("source", .string(id.rawValue)), ("state", .string(status.state)),
                    ("next_allowed_at", status.nextAllowedAt.map { .string($0.rfc3339) } ?? .null),
                    ("reason", status.reason.map(JSONValue.string) ?? .null),
                    ("in_flight", .number(String(status.inFlight))), ("retries", .number(String(status.retries))),
                    ("throttles", .number(String(status.throttles))), ("rejections", .number(String(status.rejections))),
                    ("requests", .number(String(latency?.count ?? 0))), ("successes", .number(String(latency?.successes ?? 0))),
                    ("p50_ms", ms(latency?.p50)), ("p95_ms", ms(latency?.p95)), ("p99_ms", ms(latency?.p99)),
                ]))
            }
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: JSONWriter.encode(.array(items)))))
        }
        var logger = Logger(label: "tributary-http")
        logger.logLevel = .warning
        return Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: "tributary"),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? port) }, logger: logger)
    }
}
