import Connectors
import Engine
import Hummingbird
import Pipeline
import TributaryCore

/// The live page at `/` and the two small JSON documents it reads besides `/sources` and
/// `/records/latest`: `/status` (buffer, store, totals, the symbols quoted) and
/// `/dead-letters?limit=N` (the newest dead letters, without their bodies).
///
/// The page is one HTML document with its script inline (``DashboardPage``): no build step,
/// nothing fetched from elsewhere, so it works on a machine with no internet.
enum DashboardRoutes {
    /// The most dead letters `/dead-letters` lists.
    static let deadLetterLimit = 100

    static func add(to router: Router<ServiceRequestContext>, context: ServiceContext) {
        router.get("/") { _, _ -> Response in
            JSONResponse.text(DashboardPage.html, contentType: "text/html; charset=utf-8")
        }
        router.get("status") { _, _ -> Response in
            JSONResponse.make(status(context))
        }
        router.get("dead-letters") { request, _ -> Response in
            let text = request.uri.queryParameters["limit"].map(String.init) ?? "10"
            guard let limit = Int(text), (1...deadLetterLimit).contains(limit) else {
                return JSONResponse.problem(
                    .badRequest, "limit '\(text.prefix(20))' is not a whole number from 1 to \(deadLetterLimit)",
                    fix: "e.g. /dead-letters?limit=10")
            }
            guard let store = context.store else { return JSONResponse.make(.array([])) }
            do {
                let letters = try await store.deadLetters(limit: limit, source: nil, pending: false)
                return JSONResponse.make(.array(letters.map(summary)))
            } catch {
                return JSONResponse.problem(.serviceUnavailable, "the store cannot be read: \(error)", fix: "see /ready and the log")
            }
        }
    }

    /// What the page shows about the whole process.
    static func status(_ context: ServiceContext) -> JSONValue {
        let engine = context.engine
        let stats = engine.buffer.stats
        let totals = engine.totals
        // The symbols most sources quote first: those have a consolidated price worth showing.
        var quotedBy: [String: Int] = [:]
        for (_, entry) in engine.activity.all { for symbol in entry.quoteSymbols { quotedBy[symbol, default: 0] += 1 } }
        let symbols = quotedBy.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map(\.key)
        return .object(
            JSONObject([
                ("started_at", .string(engine.activity.startedAt.rfc3339)),
                ("now", .string(UTCTimestamp.now().rfc3339)),
                ("ready", .bool(context.readiness.notReadyReason == nil)),
                ("not_ready_reason", context.readiness.notReadyReason.map(JSONValue.string) ?? .null),
                (
                    "buffer",
                    .object(
                        JSONObject([
                            ("depth", .number(String(stats.depth))), ("capacity", .number(String(stats.capacity))),
                            ("waiting_producers", .number(String(stats.waitingProducers))),
                        ]))
                ),
                (
                    "store",
                    .object(
                        JSONObject([
                            ("location", context.store.map { .string($0.location) } ?? .null)
                        ]))
                ),
                (
                    "totals",
                    .object(
                        JSONObject([
                            ("polls", .number(String(totals.polls))), ("failed_polls", .number(String(totals.failures))),
                            ("records", .number(String(totals.records))),
                        ]))
                ),
                ("symbols", .array(symbols.prefix(12).map(JSONValue.string))),
            ]))
    }

    /// A dead letter without its body (the page shows why, not what).
    static func summary(_ letter: DeadLetter) -> JSONValue {
        return .object(
            JSONObject([
                ("id", letter.id.map { .number(String($0)) } ?? .null), ("source", .string(letter.source)),
                ("endpoint", .string(letter.endpoint)), ("holds", .string(letter.kindName)), ("reason", .string(letter.reason)),
                ("created_at", .string(letter.createdAt.rfc3339)), ("replayed_at", JSONResponse.time(letter.replayedAt)),
            ]))
    }
}
