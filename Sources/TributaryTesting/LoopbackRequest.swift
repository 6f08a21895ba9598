import Foundation

/// A request as the loopback server read it.
public struct LoopbackRequest: Sendable {
    public var method: String
    /// The request target: path and query, e.g. `/api/v3/ticker/24hr?symbol=BTCUSDT`.
    public var target: String
    /// Header names lower-cased.
    public var headers: [String: String]
    public var body: [UInt8]

    public var path: String { String(target.prefix { $0 != "?" }) }

    /// Query parameters, percent-decoding not applied.
    public var query: [String: String] {
        guard let question = target.firstIndex(of: "?") else { return [:] }
        var result: [String: String] = [:]
        for pair in target[target.index(after: question)...].split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            result[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
        }
        return result
    }
}

/// Reads HTTP/1.1 requests from a blocking socket, keep-alive included.
struct RequestReader {
    let fd: Int32
    var pending: [UInt8] = []

    init(fd: Int32) {
        self.fd = fd
    }

    mutating func next() -> LoopbackRequest? {
        var headerEnd: Int?
        while true {
            if let end = Self.find(pending) {
                headerEnd = end
                break
            }
            guard fill() else { return nil }
        }
        guard let end = headerEnd else { return nil }
        let head = String(decoding: pending[..<end], as: UTF8.self)
        pending.removeFirst(end + 4)
        let lines = head.split(separator: "\r\n", omittingEmptySubsequences: false)
        let requestLine = lines.first?.split(separator: " ") ?? []
        guard requestLine.count >= 2 else { return nil }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let length = Int(headers["content-length"] ?? "0") ?? 0
        while pending.count < length {
            guard fill() else { return nil }
        }
        let body = Array(pending.prefix(length))
        pending.removeFirst(length)
        return LoopbackRequest(method: String(requestLine[0]), target: String(requestLine[1]), headers: headers, body: body)
    }

    private mutating func fill() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard count > 0 else { return false }
        pending.append(contentsOf: chunk[..<count])
        return true
    }

    private static func find(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for i in 0...(bytes.count - 4) where bytes[i] == 13 && bytes[i + 1] == 10 && bytes[i + 2] == 13 && bytes[i + 3] == 10 {
            return i
        }
        return nil
    }
}
