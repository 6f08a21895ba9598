import Engine
import Foundation
import Logging
import ServiceLifecycle
import Tracing

#if OpenTelemetry
    import OTel
#endif

/// OpenTelemetry traces for `run`: with the standard `OTEL_EXPORTER_OTLP_ENDPOINT` (or
/// `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) set, every span Engine and Service open — each poll,
/// each fetch attempt, each push request, each store batch — is exported over OTLP/HTTP by
/// swift-otel; without it the tracer stays the no-op one and a span costs next to nothing.
///
/// The other standard variables apply as the OpenTelemetry specification says
/// (`OTEL_SERVICE_NAME`, default `tributary`; `OTEL_EXPORTER_OTLP_PROTOCOL` `http/protobuf` or
/// `http/json`; `OTEL_EXPORTER_OTLP_HEADERS`; `OTEL_TRACES_SAMPLER`; `OTEL_BSP_*`;
/// `OTEL_SDK_DISABLED=true`). Only traces: logs stay logfmt lines, metrics stay `/metrics`.
enum TraceExport {
    /// Whether the environment asks for an exporter.
    static func requested(_ environment: [String: String]) -> Bool {
        if environment["OTEL_SDK_DISABLED"]?.lowercased() == "true" { return false }
        if environment["OTEL_TRACES_EXPORTER"]?.lowercased() == "none" { return false }
        return [environment["OTEL_EXPORTER_OTLP_ENDPOINT"], environment["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"]].contains { !($0 ?? "").isEmpty }
    }

    /// Bootstraps the process's tracer when the environment asks for one and returns the
    /// exporter's background service: run it first in the service group so it stops last and
    /// flushes the spans of the drain. Nil when no exporter was asked for.
    static func bootstrap(environment: [String: String] = ProcessInfo.processInfo.environment, logger: Logger) throws -> (any Service)? {
        guard requested(environment) else { return nil }
        #if OpenTelemetry
            var configuration = OTel.Configuration.default
            configuration.serviceName = "tributary"
            configuration.logs.enabled = false
            configuration.metrics.enabled = false
            configuration.diagnosticLogger = .custom(logger)
            configuration.diagnosticLogLevel = .warning
            let backend = try OTel.makeTracingBackend(configuration: configuration)
            InstrumentationSystem.bootstrap(backend.factory)
            Spans.tracerInstalled()
            logger.notice(
                "exporting traces over OTLP",
                metadata: [
                    "endpoint": "\(environment["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"] ?? environment["OTEL_EXPORTER_OTLP_ENDPOINT"] ?? "")",
                    "service": "\(environment["OTEL_SERVICE_NAME"] ?? "tributary")",
                ])
            return backend.service
        #else
            logger.warning(
                "OTEL_EXPORTER_OTLP_ENDPOINT is set but this build has no trace exporter: build with the OpenTelemetry trait (on unless --disable-default-traits)"
            )
            return nil
        #endif
    }
}
