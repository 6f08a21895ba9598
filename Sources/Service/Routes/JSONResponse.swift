import Foundation
import Hummingbird
import TributaryCore

/// JSON bodies written with Tributary's own writer (exact numbers stay strings, field order kept).
enum JSONResponse {
    static func make(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: JSONWriter.encode(value))))
    }

    static func text(_ text: String, status: HTTPResponse.Status = .ok, contentType: String = "text/plain; charset=utf-8") -> Response {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// A clear client error: what is wrong and how to fix it.
    static func problem(_ status: HTTPResponse.Status, _ message: String, fix: String? = nil) -> Response {
        var members: [(key: String, value: JSONValue)] = [("error", .string(message))]
        if let fix { members.append(("fix", .string(fix))) }
        return make(.object(JSONObject(members)), status: status)
    }

    static func milliseconds(_ duration: Duration?) -> JSONValue {
        guard let duration else { return .null }
        let ms = Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
        return .number(String(format: "%.3f", ms))
    }

    static func time(_ time: UTCTimestamp?) -> JSONValue { time.map { .string($0.rfc3339) } ?? .null }
}
