import Engine
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Tracing
import TributaryCore

/// `POST /ingest/{source}`: pushed events (signed webhooks, producers) into the same buffer,
/// record model and store as polled data. The rules live in ``PushGateway``; this adapts HTTP to
/// it and wraps each request in a tracing span (no-op unless a tracer is bootstrapped).
enum IngestRoute {
    /// One line per push at info level (`--log-level info`), with the request id the response,
    /// the records' provenance and the span carry.
    static let logger = Logger(label: "tributary.push")

    static func add(to router: Router<ServiceRequestContext>, gateway: PushGateway) {
        router.post("ingest/:source") { request, context -> Response in
            let source = context.parameters.get("source") ?? ""
            return await Spans.with("POST /ingest/{source}", ofKind: .server) { span in
                let started = ContinuousClock.now
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
                // Only a span that records takes attributes: without an exporter the span is a
                // no-op, yet each assignment still built and hashed an attribute dictionary
                // (1.3 % of a process answering single-event pushes).
                if span.isRecording {
                    span.attributes["request_id"] = answer.requestID ?? ""
                    span.attributes["source"] = source
                    span.attributes["source_ip"] = context.remoteAddress?.ipAddress ?? ""
                    span.attributes["payload_size"] = body.count
                    span.attributes["decode_time_us"] = Int(answer.decodeTime / .microseconds(1))
                    span.attributes["enqueue_time_us"] = Int(answer.enqueueTime / .microseconds(1))
                    span.attributes["http.response.status_code"] = answer.status
                    span.attributes["process_time_us"] = Int((ContinuousClock.now - started) / .microseconds(1))
                }
                if answer.status >= 500 { span.setStatus(SpanStatus(code: .error)) }
                logger.info(
                    "push",
                    metadata: [
                        "source": "\(source)", "request_id": "\(answer.requestID ?? "-")", "status": "\(answer.status)", "bytes": "\(body.count)",
                        "source_ip": "\(context.remoteAddress?.ipAddress ?? "-")",
                    ])
                var response = JSONResponse.make(answer.body, status: HTTPResponse.Status(code: answer.status))
                for (name, value) in answer.headers {
                    if let field = HTTPField.Name(name) { response.headers[field] = value }
                }
                return response
            }
        }
    }
}
