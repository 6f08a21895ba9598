import Engine
import Foundation
import Hummingbird
import Pipeline
import TributaryCore

/// `GET /records/latest?symbol=BTC-USDT[&kind=quote]`: each source's newest record of the symbol
/// from the store, and the consolidated view (median, spread, stale and outlier sources).
enum LatestRoute {
    static func add(to router: Router<ServiceRequestContext>, context: ServiceContext) {
        router.get("records/latest") { request, _ -> Response in
            guard let symbol = request.uri.queryParameters["symbol"].map(String.init), !symbol.isEmpty else {
                return JSONResponse.problem(.badRequest, "missing query parameter 'symbol'", fix: "e.g. /records/latest?symbol=BTC-USDT&kind=quote")
            }
            let kindText = request.uri.queryParameters["kind"].map(String.init) ?? "quote"
            guard let kind = Record.Kind(rawValue: kindText) else {
                return JSONResponse.problem(
                    .badRequest, "unknown kind '\(kindText)'",
                    fix: "one of \(Record.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard let store = context.store else { return JSONResponse.problem(.serviceUnavailable, "no store is configured") }
            let rows: [LatestRecord]
            do { rows = try await store.latest(symbol: symbol, kind: kind) } catch {
                return JSONResponse.problem(.serviceUnavailable, "the store cannot be read: \(error)")
            }
            return JSONResponse.make(view(rows, symbol: symbol, kind: kind, context: context))
        }
    }

    static func view(_ rows: [LatestRecord], symbol: String, kind: Record.Kind, context: ServiceContext) -> JSONValue {
        let now = UTCTimestamp.now()
        let records = rows.map { JSONValue.object($0.envelope.jsonObject) }
        let entries = rows.map { row in
            ConsolidatedView.Entry(
                source: row.source, price: ConsolidatedView.price(of: row.envelope.record), asOf: row.asOf,
                staleAfter: context.engine.staleAfter(SourceID(row.source), fallback: context.settings.staleAfter))
        }
        let view = ConsolidatedView(entries: entries, now: now, outlierPercent: context.settings.outlierPercent)
        let sources = zip(view.verdicts, records).map { verdict, record -> JSONValue in
            .object(
                JSONObject([
                    ("source", .string(verdict.source)), ("stale", .bool(verdict.stale)), ("outlier", .bool(verdict.outlier)),
                    ("deviation_percent", verdict.deviationPercent.map { .number(String(format: "%.4f", $0)) } ?? .null),
                    ("record", record),
                ]))
        }
        return .object(
            JSONObject([
                ("symbol", .string(symbol)), ("kind", .string(kind.rawValue)), ("as_of", .string(now.rfc3339)),
                (
                    "consolidated",
                    .object(
                        JSONObject([
                            ("median", view.median.map { .string($0.description) } ?? .null),
                            ("spread", view.spread.map { .string($0.description) } ?? .null),
                            ("sources", .number(String(rows.count))),
                            ("voting", .number(String(view.verdicts.filter { !$0.stale }.count))),
                            ("stale", .array(view.verdicts.filter(\.stale).map { .string($0.source) })),
                            ("outliers", .array(view.verdicts.filter(\.outlier).map { .string($0.source) })),
                        ]))
                ),
                ("sources", .array(sources)),
            ]))
    }
}
