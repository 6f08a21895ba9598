import Engine
import Foundation
import HTTPTypes
import Hummingbird
import Tracing
import TributaryCore

/// `POST /ingest/{source}`: pushed events (signed webhooks, producers) into the same buffer,
/// record model and store as polled data. The rules live in ``PushGateway``; this adapts HTTP to
/// it and wraps each request in a tracing span (no-op unless a tracer is bootstrapped).
enum IngestRoute {
    static func add(to router: Router<ServiceRequestContext>, gateway: PushGateway) {
        router.post("ingest/:source") { request, context -> Response in
            let source = context.parameters.get("source") ?? ""
            return await withSpan("POST /ingest/{source}", ofKind: .server) { span in
                let limit = gateway.maxBodyBytes(for: source)
                let body: [UInt8]
                do {
                    body = Array(buffer: try await request.body.collect(upTo: limit))
                } catch {
                    return JSONResponse.problem(.contentTooLarge, "the body is larger than \(limit) bytes", fix: "split it into several requests")
                }
                let headers = request.headers
                let query = request.uri.queryParameters
                let pushed = PushGateway.Request(
                    source: source, contentType: headers[.contentType], body: body,
                    header: { name in HTTPField.Name(name).flatMap { headers[$0] } },
                    durable: query["ack"] == "durable", partial: query["partial"] == "true")
                let answer = await gateway.handle(pushed)
                span.attributes["request_id"] = answer.requestID ?? ""
                span.attributes["source"] = source
                span.attributes["source_ip"] = context.remoteAddress?.ipAddress ?? ""
                span.attributes["payload_size"] = body.count
                span.attributes["decode_time_us"] = Int(answer.decodeTime / .microseconds(1))
                span.attributes["enqueue_time_us"] = Int(answer.enqueueTime / .microseconds(1))
                span.attributes["http.status_code"] = answer.status
                var response = JSONResponse.make(answer.body, status: HTTPResponse.Status(code: answer.status))
                for (name, value) in answer.headers {
                    if let field = HTTPField.Name(name) { response.headers[field] = value }
                }
                return response
            }
        }
    }
}
