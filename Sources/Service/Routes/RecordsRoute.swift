import Engine
import Foundation
import Hummingbird
import Pipeline
import TributaryCore

/// `GET /records?kind=bar&symbol=BTC-USDT&source=binance&from=-1h&to=now&format=csv|jsonl`:
/// stored records, oldest first, streamed from the store a page at a time (the response is
/// written as pages are read, never built whole in memory).
enum RecordsRoute {
    static func add(to router: Router<ServiceRequestContext>, context: ServiceContext) {
        router.get("records") { request, _ -> Response in
            let parameters = request.uri.queryParameters
            func value(_ name: String) -> String? { parameters[Substring(name)].map(String.init).flatMap { $0.isEmpty ? nil : $0 } }
            let kinds = Record.Kind.allCases.map(\.rawValue).joined(separator: ", ")
            guard let kindText = value("kind") else {
                return JSONResponse.problem(
                    .badRequest, "missing query parameter 'kind'", fix: "one of \(kinds), e.g. /records?kind=bar&symbol=BTC-USDT&from=-1h")
            }
            guard let kind = Record.Kind(rawValue: kindText) else {
                return JSONResponse.problem(.badRequest, "unknown kind '\(kindText)'", fix: "one of \(kinds)")
            }
            let formatText = value("format") ?? "jsonl"
            guard let format = RecordExport.Format(rawValue: formatText) else {
                return JSONResponse.problem(.badRequest, "unknown format '\(formatText)'", fix: "csv or jsonl")
            }
            let now = UTCTimestamp.now()
            var bounds: [String: UTCTimestamp] = [:]
            for name in ["from", "to"] {
                guard let text = value(name) else { continue }
                guard let time = TimeText.parse(text, relativeTo: now) else {
                    return JSONResponse.problem(.badRequest, "'\(name)' is '\(text.prefix(60))', not a time", fix: TimeText.relativeHelp)
                }
                bounds[name] = time
            }
            if let from = bounds["from"], let to = bounds["to"], to <= from {
                return JSONResponse.problem(.badRequest, "'to' (\(to.rfc3339)) must be after 'from' (\(from.rfc3339))")
            }
            guard let store = context.store else { return JSONResponse.problem(.serviceUnavailable, "no store is configured") }
            let query = RecordQuery(kind: kind, symbol: value("symbol"), source: value("source").map { SourceID($0) }, from: bounds["from"], to: bounds["to"])
            // Read the first page before answering, so an unreadable store is a 503, not a cut-off 200.
            do { _ = try await store.records(query, after: nil, limit: 1) } catch {
                return JSONResponse.problem(.serviceUnavailable, "the store cannot be read: \(error)")
            }
            var headers = HTTPFields()
            headers[.contentType] = format.contentType
            return Response(
                status: .ok, headers: headers,
                body: ResponseBody { writer in
                    try await RecordExport.stream(from: store, query, format: format) { bytes in try await writer.write(ByteBuffer(bytes: bytes)) }
                    try await writer.finish(nil)
                })
        }
    }
}
