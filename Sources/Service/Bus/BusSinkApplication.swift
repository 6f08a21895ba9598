import Hummingbird
import Logging
import Pipeline
import TributaryCore

/// The HTTP surface of `tributary sink --port N`: `/health`, `/ready` (503 while the store or
/// the bus is unavailable, with why) and `/metrics` (what the sink stored, its dead letters and
/// the consumer's lag, read from the bus at scrape time).
public enum BusSinkApplication {
    public static func make(
        host: String, port: Int, metrics: MetricsExporter, consumer: any BusConsumer, store: any DeadLetterStore, readiness: Readiness,
        logger: Logger, onListening: @escaping @Sendable (Int) async -> Void
    ) -> some ApplicationProtocol {
        let router = Router(context: ServiceRequestContext.self)
        router.get("health") { _, _ -> Response in JSONResponse.make(.object(JSONObject([("status", .string("ok"))]))) }
        router.get("ready") { _, _ -> Response in
            guard let reason = readiness.notReadyReason else { return JSONResponse.make(.object(JSONObject([("status", .string("ready"))]))) }
            return JSONResponse.make(.object(JSONObject([("status", .string("not ready")), ("reason", .string(reason))])), status: .serviceUnavailable)
        }
        router.get("metrics") { _, _ -> Response in
            let text = await metrics.renderSink(consumer: consumer, store: store)
            return JSONResponse.text(text, contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
        return Application(
            router: router, configuration: .init(address: .hostname(host, port: port), serverName: "tributary-sink"),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? port) }, logger: logger)
    }
}
