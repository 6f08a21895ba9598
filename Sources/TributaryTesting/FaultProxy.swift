import Foundation
import Synchronization
import Transport

#if canImport(Glibc)
    import Glibc
#endif

/// A loopback proxy in front of a real server (moto, for the bucket tests) that logs every
/// request and lets a test answer some of them itself — a 503 `SlowDown`, a 403 — while the
/// rest go to the real server unchanged. The real server keeps the behaviour real; the proxy
/// adds the faults it cannot be told to make and counts what the client asked for.
public final class FaultProxy: Sendable {
    /// Answers a request instead of the upstream, or nil to forward it.
    public typealias Fault = @Sendable (LoopbackRequest) -> LoopbackResponse?

    private let server: LoopbackServer
    private let log: RequestLog

    /// Shared by the proxy and its server's handler.
    private final class RequestLog: Sendable {
        let lines = Mutex<[String]>([])
    }

    /// `http://127.0.0.1:PORT`
    public var endpoint: String { server.baseURL }

    /// Every request seen, as `METHOD target`, in arrival order.
    public var requests: [String] { log.lines.withLock { $0 } }

    /// Starts a proxy to the server on 127.0.0.1:`upstreamPort`.
    public init(upstreamPort: Int, fault: @escaping Fault = { _ in nil }) throws {
        let log = RequestLog()
        self.log = log
        server = try LoopbackServer { request in
            log.lines.withLock { $0.append("\(request.method) \(request.target)") }
            if let answer = fault(request) { return answer }
            return Self.forward(request, to: upstreamPort)
        }
    }

    public func stop() { server.stop() }

    deinit { stop() }

    /// Sends `request` to the upstream on a fresh connection and reads its whole answer; a
    /// failure to reach it is a 502 the client sees as a server error.
    static func forward(_ request: LoopbackRequest, to port: Int) -> LoopbackResponse {
        let failed = LoopbackResponse(status: 502, headers: [], body: Array("proxy: upstream unreachable".utf8))
        guard let fd = LoopbackPort.connect(port) else { return failed }
        defer { close(fd) }
        var head = "\(request.method) \(request.target) HTTP/1.1\r\n"
        for (name, value) in request.headers where !["connection", "content-length", "transfer-encoding"].contains(name) {
            head += "\(name): \(value)\r\n"
        }
        head += "Content-Length: \(request.body.count)\r\nConnection: close\r\n\r\n"
        guard LoopbackResponse.send(fd, Array(head.utf8) + request.body) else { return failed }
        var answer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { break }
            answer.append(contentsOf: chunk[..<count])
        }
        return parse(answer, method: request.method) ?? failed
    }

    /// An HTTP/1.1 answer read to the end of the connection: status, headers, body (chunked
    /// or not); the framing headers are dropped because the loopback server writes its own.
    static func parse(_ answer: [UInt8], method: String) -> LoopbackResponse? {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let end = answer.indices.dropLast(3).first(where: { answer[$0..<($0 + 4)].elementsEqual(separator) }) else { return nil }
        let lines = String(decoding: answer[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        guard let statusLine = lines.first, let status = Int(statusLine.split(separator: " ").dropFirst().first ?? "") else { return nil }
        var headers: [(String, String)] = []
        var chunked = false
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = String(line[..<colon])
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            switch name.lowercased() {
            case "transfer-encoding": chunked = value.lowercased().contains("chunked")
            case "content-length", "connection": continue
            default: headers.append((name, value))
            }
        }
        var body = Array(answer[(end + 4)...])
        if chunked { body = dechunk(body) }
        if method == "HEAD" { body = [] }
        return LoopbackResponse(status: status, headers: headers, body: body)
    }

    /// The payload of a chunked body (sizes in hex, each chunk followed by CRLF, 0 to end).
    static func dechunk(_ bytes: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        var index = 0
        while index < bytes.count {
            guard let lineEnd = bytes[index...].firstIndex(of: 10) else { break }
            let sizeText = String(decoding: bytes[index..<lineEnd], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard let size = Int(sizeText.split(separator: ";").first ?? "", radix: 16), size > 0 else { break }
            let start = lineEnd + 1
            guard start + size <= bytes.count else { break }
            output.append(contentsOf: bytes[start..<(start + size)])
            index = start + size + 2
        }
        return output
    }
}
