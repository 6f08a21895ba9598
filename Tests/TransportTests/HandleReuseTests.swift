import Foundation
import Testing
import Transport
import TributaryCore
import TributaryTesting

/// An easy handle is reused request after request, keeping its options from one to the next;
/// nothing of one request (method, body, size cap, timeout) may leak into the next.
extension HTTPClientTests {
    @Test func aReusedHandleCarriesNothingOverFromTheRequestBefore() async throws {
        let payload = Array(repeating: UInt8(ascii: "p"), count: 100)
        let server = try LoopbackServer { request in
            let seen = "\(request.method) \(request.path) \(request.body.count)"
            switch request.path {
            case "/payload": return LoopbackResponse(headers: [("X-Seen", seen)], body: payload)
            case "/slow": return .json("{}", headers: [("X-Seen", seen)], delay: .milliseconds(600))
            default: return LoopbackResponse(headers: [("X-Seen", seen)], body: request.method == "HEAD" ? [] : Array(seen.utf8))
            }
        }
        defer { server.stop() }
        // One request at a time: every request after the first runs on the same handle.
        let client = HTTPClient()
        func send(_ request: HTTPRequest) async throws -> HTTPResponse { try await client.send(request) }
        let url = server.baseURL

        let first = try await send(HTTPRequest(url: url + "/a"))
        #expect(first.headers["x-seen"] == "GET /a 0")
        #expect(first.timings.connectionsOpened == 1)
        let steps: [(HTTPRequest, String)] = [
            (HTTPRequest(method: .post, url: url + "/b", body: Array("x=1".utf8)), "POST /b 3"),
            (HTTPRequest(url: url + "/c"), "GET /c 0"),
            (HTTPRequest(method: .head, url: url + "/d"), "HEAD /d 0"),
            (HTTPRequest(url: url + "/e"), "GET /e 0"),
            (HTTPRequest(method: .put, url: url + "/f", body: Array("yy".utf8)), "PUT /f 2"),
            (HTTPRequest(url: url + "/g"), "GET /g 0"),
            (HTTPRequest(method: .delete, url: url + "/h"), "DELETE /h 0"),
            (HTTPRequest(url: url + "/i"), "GET /i 0"),
        ]
        for (request, seen) in steps {
            let response = try await send(request)
            #expect(response.headers["x-seen"] == seen)
            // The body of a GET after a HEAD arrives: "no body" was not carried over.
            if request.method == .get { #expect(response.bodyText == seen) }
            // A reused connection spent nothing on DNS, connect or TLS.
            #expect(response.timings.connectionsOpened == 0)
            #expect(response.timings.dns == .zero && response.timings.connect == .zero && response.timings.tls == .zero)
            #expect(response.timings.firstByte <= response.timings.total)
        }

        // A cap applies to its own request only, in both directions.
        await #expect {
            try await send(HTTPRequest(url: url + "/payload", maxBodyBytes: 10))
        } throws: { ($0 as? TransportError)?.isBodyTooLarge == true }
        #expect(try await send(HTTPRequest(url: url + "/payload")).body == payload)
        await #expect {
            try await send(HTTPRequest(url: url + "/payload", maxBodyBytes: 99))
        } throws: { ($0 as? TransportError)?.isBodyTooLarge == true }

        // So does a timeout: a short one ends a slow answer, the default after it waits for it.
        await #expect {
            try await send(HTTPRequest(url: url + "/slow", totalTimeout: .milliseconds(100)))
        } throws: { ($0 as? TransportError)?.isTimeout == true }
        #expect(try await send(HTTPRequest(url: url + "/slow")).headers["x-seen"] == "GET /slow 0")
        await client.shutdown()
    }
}
