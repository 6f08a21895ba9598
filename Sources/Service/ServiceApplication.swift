import Hummingbird
import Logging

/// The aggregator's HTTP surface (Hummingbird): `/health`, `/ready`, `/metrics`, `/sources` and
/// `/records/latest` and (with push sources) `POST /ingest/{source}`, bound to `http.host`:`http.port` (127.0.0.1 by default — it is an
/// operator's window, not a public API).
public enum ServiceApplication {
    public static func make(
        context: ServiceContext, logger: Logger, onListening: @escaping @Sendable (Int) async -> Void
    ) -> some ApplicationProtocol {
        let router = Router(context: ServiceRequestContext.self)
        StatusRoutes.add(to: router, context: context)
        DashboardRoutes.add(to: router, context: context)
        MetricsRoute.add(to: router, context: context)
        LatestRoute.add(to: router, context: context)
        RecordsRoute.add(to: router, context: context)
        FeaturesRoute.add(to: router, context: context)
        DocumentsRoute.add(to: router, context: context)
        if let gateway = context.push { IngestRoute.add(to: router, gateway: gateway) }
        return Application(
            router: router,
            configuration: .init(address: .hostname(context.settings.httpHost, port: context.settings.httpPort), serverName: "tributary"),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? context.settings.httpPort) },
            logger: logger)
    }
}
