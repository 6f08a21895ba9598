import Hummingbird

/// `GET /metrics`: Prometheus text exposition (version 0.0.4).
enum MetricsRoute {
    static func add(to router: Router<ServiceRequestContext>, context: ServiceContext) {
        router.get("metrics") { _, _ -> Response in
            let text = await context.metrics.render(engine: context.engine, store: context.store, settings: context.settings, cluster: context.cluster?())
            return JSONResponse.text(text, contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
    }
}
