import Foundation
import Hummingbird
import NIOCore
import TributaryCore

/// Applies the injector's faults to requests under `/<source>/…`, before the provider's route runs.
struct FaultMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    let injector: FaultInjector

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let source = request.uri.path.split(separator: "/").first.map(String.init) ?? ""
        guard source != "control", source != "health", let fault = injector.fault(for: source) else {
            return try await next(request, context)
        }
        switch fault.kind {
        case .throttle(let seconds, let asDate):
            var headers: HTTPFields = [:]
            if let seconds {
                headers[.retryAfter] =
                    asDate ? UTCTimestamp(mockMilliseconds: UTCTimestamp.now().millisecondsSinceEpoch + Int64(seconds) * 1000).httpDate : String(seconds)
            }
            return MockJSON.response(ProviderErrorBodies.throttle(source), status: .tooManyRequests, headers: headers)
        case .ban(let seconds):
            return MockJSON.response(
                .object(JSONObject([("code", .number("-1003")), ("msg", .string("Way too much request weight used; IP banned."))])),
                status: .init(code: 418, reasonPhrase: "I'm a teapot"), headers: [.retryAfter: String(seconds)])
        case .serverError(let status):
            return MockJSON.response(.object(JSONObject([("error", .string("mock upstream failure"))])), status: .init(code: status))
        case .latency(let milliseconds):
            try await Task.sleep(for: .milliseconds(milliseconds))
            return try await next(request, context)
        case .hang(let seconds):
            try await Task.sleep(for: .seconds(seconds))
            return try await next(request, context)
        case .reset:
            return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody { _ in throw MockConnectionDropped() })
        case .truncate:
            let text = #"{"truncated":"the mock announced more bytes than it sent""#
            return Response(
                status: .ok, headers: [.contentType: "application/json", .contentLength: String(text.utf8.count + 200)],
                body: ResponseBody { writer in
                    try await writer.write(ByteBuffer(string: text))
                    throw MockConnectionDropped()
                })
        case .malformed:
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"price": "1.0", "oops"#)))
        case .html:
            let page = "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>"
            return Response(status: .badGateway, headers: [.contentType: "text/html"], body: .init(byteBuffer: ByteBuffer(string: page)))
        case .errorBody:
            return MockJSON.response(ProviderErrorBodies.errorWith200(source))
        }
    }
}

/// Thrown inside a response body to make the server drop the connection mid-answer.
struct MockConnectionDropped: Error {}
