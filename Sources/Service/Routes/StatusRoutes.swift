import Connectors
import Engine
import Hummingbird
import Pipeline
import TributaryCore

/// `/health` (the process serves), `/ready` (it should get traffic) and `/sources` (what each
/// source is doing: resilience state, last success and error, next poll, freshness, latency).
enum StatusRoutes {
    static func add(to router: Router<ServiceRequestContext>, context: ServiceContext) {
        router.get("health") { _, _ in "ok\n" }
        router.get("ready") { _, _ -> Response in
            if let reason = context.readiness.notReadyReason { return JSONResponse.text("not ready: \(reason)\n", status: .serviceUnavailable) }
            return JSONResponse.text("ready\n")
        }
        router.get("sources") { _, _ -> Response in
            JSONResponse.make(.array(sources(context)))
        }
        router.get("cluster") { _, _ -> Response in
            guard let view = context.cluster?() else {
                return JSONResponse.text("not in a cluster: run with --bus (bus.url) to share the poll jobs with other instances\n", status: .notFound)
            }
            return JSONResponse.make(cluster(view, engine: context.engine))
        }
    }

    /// This instance, the live instances and every poll job with its owner (`/cluster`).
    static func cluster(_ view: ClusterView, engine: IngestionEngine) -> JSONValue {
        .object(
            JSONObject([
                ("instance", .string(view.instance)), ("instances", .array(view.instances.map(JSONValue.string))),
                ("held", .number(String(view.held.count))), ("jobs", .array(jobs(engine.jobs, view: view))),
                ("last_error", view.lastError.map(JSONValue.string) ?? .null), ("rounds", .number(String(view.rounds))),
            ]))
    }

    /// Poll jobs with the instance that holds each (null: nobody right now).
    static func jobs(_ jobs: [(source: SourceID, call: EndpointCall, every: Duration)], view: ClusterView) -> [JSONValue] {
        jobs.map { job in
            let key = IngestionEngine.jobKey(job.source, job.call)
            return .object(
                JSONObject([
                    ("source", .string(job.source.rawValue)), ("endpoint", .string(job.call.endpoint)),
                    ("symbols", .array(job.call.symbols.map(JSONValue.string))),
                    ("owner", view.owners[key].map(JSONValue.string) ?? .null), ("mine", .bool(view.held.contains(key))),
                ]))
        }
    }

    static func sources(_ context: ServiceContext) -> [JSONValue] {
        let engine = context.engine
        let now = UTCTimestamp.now()
        let view = context.cluster?()
        return engine.guards.keys.sorted().map { id -> JSONValue in
            let status = engine.guards[id]!.status
            let latency = engine.latency.snapshot(source: id)
            let activity = engine.activity[id]
            let staleAfter = engine.staleAfter(id, fallback: context.settings.staleAfter)
            let age = activity.age(at: now)
            let condition = engine.condition(id, fallback: context.settings.staleAfter, now: now)
            return .object(
                JSONObject([
                    ("source", .string(id.rawValue)), ("state", .string(status.state)), ("condition", .string(condition.word)),
                    ("failing", .bool(condition.failing)), ("stale", .bool(condition.stale)),
                    ("newest_as_of", JSONResponse.time(activity.newestAsOf)),
                    ("age_seconds", age.map { .number(String($0.components.seconds)) } ?? .null),
                    ("stale_after_seconds", .number(String(staleAfter.components.seconds))),
                    ("last_success_at", JSONResponse.time(activity.lastSuccessAt)),
                    ("last_error_at", JSONResponse.time(activity.lastErrorAt)),
                    ("last_error", activity.lastError.map(JSONValue.string) ?? .null),
                    ("next_poll_at", JSONResponse.time(activity.nextPollAt)),
                    ("next_allowed_at", JSONResponse.time(status.nextAllowedAt)),
                    ("reason", status.reason.map(JSONValue.string) ?? .null),
                    ("polls", .number(String(activity.polls))), ("failed_polls", .number(String(activity.failures))),
                    ("records", .number(String(activity.records))),
                    ("gaps", .number(String(activity.gaps))),
                    (
                        "last_gap",
                        activity.lastGap.map { gap in
                            .object(
                                JSONObject([
                                    ("symbol", .string(gap.symbol)), ("interval", .string(gap.interval)), ("from", .string(gap.from.rfc3339)),
                                    ("to", .string(gap.to.rfc3339)), ("reason", .string(gap.reason)),
                                ]))
                        } ?? .null
                    ),
                    ("in_flight", .number(String(status.inFlight))), ("retries", .number(String(status.retries))),
                    ("throttles", .number(String(status.throttles))), ("rejections", .number(String(status.rejections))),
                    ("requests", .number(String(latency?.count ?? 0))), ("successes", .number(String(latency?.successes ?? 0))),
                    ("p50_ms", JSONResponse.milliseconds(latency?.p50)), ("p95_ms", JSONResponse.milliseconds(latency?.p95)),
                    ("p99_ms", JSONResponse.milliseconds(latency?.p99)),
                    ("p95_target_ms", .number(String((engine.definitions[id]?.p95Target ?? context.settings.p95Target).nanosecondsCount / 1_000_000))),
                    ("jobs", view.map { .array(jobs(engine.jobs.filter { $0.source == id }, view: $0)) } ?? .null),
                ]))
        }
    }
}
