import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// What the loopback server does with a request.
public struct LoopbackResponse: Sendable {
    enum Behaviour: Sendable {
        case complete
        /// Declare the full length, send only this many body bytes, then close.
        case closeAfter(bodyBytes: Int)
        /// Send the head, then nothing until the client gives up.
        case stallAfterHead
        /// Send nothing at all until the client gives up (an upstream that accepts and hangs).
        case hang
    }

    public var status: Int
    public var headers: [(String, String)]
    public var body: [UInt8]
    /// Waited before anything is written.
    public var delay: Duration
    var behaviour: Behaviour

    public init(status: Int = 200, headers: [(String, String)] = [("Content-Type", "application/json")], body: [UInt8], delay: Duration = .zero) {
        self.status = status
        self.headers = headers
        self.body = body
        self.delay = delay
        self.behaviour = .complete
    }

    public static func json(_ text: String, status: Int = 200, headers: [(String, String)] = [], delay: Duration = .zero) -> LoopbackResponse {
        LoopbackResponse(status: status, headers: [("Content-Type", "application/json")] + headers, body: Array(text.utf8), delay: delay)
    }

    /// Announces `body` in full but closes the connection after `bytes` of it.
    public static func closeMidBody(_ body: [UInt8], after bytes: Int) -> LoopbackResponse {
        var response = LoopbackResponse(body: body)
        response.behaviour = .closeAfter(bodyBytes: bytes)
        return response
    }

    /// Sends the status line and headers, then never the body.
    public static func stall(declaring body: [UInt8]) -> LoopbackResponse {
        var response = LoopbackResponse(body: body)
        response.behaviour = .stallAfterHead
        return response
    }

    /// Accepts the request and never answers; the connection closes when the client gives up.
    public static let hang: LoopbackResponse = {
        var response = LoopbackResponse(body: [])
        response.behaviour = .hang
        return response
    }()

    /// Writes the response; false when the connection must close afterwards.
    func write(to fd: Int32) -> Bool {
        if delay > .zero {
            let (seconds, attoseconds) = delay.components
            var spec = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
            nanosleep(&spec, nil)
        }
        if case .hang = behaviour {
            var scratch = [UInt8](repeating: 0, count: 512)
            while scratch.withUnsafeMutableBytes({ read(fd, $0.baseAddress, $0.count) }) > 0 {}
            return false
        }
        var head = "HTTP/1.1 \(status) \(Self.reason(status))\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        head += "Content-Length: \(body.count)\r\n\r\n"
        var bytes = Array(head.utf8)
        switch behaviour {
        case .complete:
            bytes.append(contentsOf: body)
            return Self.send(fd, bytes)
        case .closeAfter(let count):
            bytes.append(contentsOf: body.prefix(count))
            _ = Self.send(fd, bytes)
            return false
        case .hang:
            return false
        case .stallAfterHead:
            _ = Self.send(fd, bytes)
            // Wait until the client closes (read returns 0) or the server is stopped.
            var scratch = [UInt8](repeating: 0, count: 512)
            while scratch.withUnsafeMutableBytes({ read(fd, $0.baseAddress, $0.count) }) > 0 {}
            return false
        }
    }

    static func send(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if written <= 0 { return false }
            offset += written
        }
        return true
    }

    static func reason(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 400: "Bad Request"
        case 404: "Not Found"
        case 418: "I'm a teapot"
        case 429: "Too Many Requests"
        case 451: "Unavailable For Legal Reasons"
        case 500: "Internal Server Error"
        case 503: "Service Unavailable"
        default: "Status"
        }
    }
}
