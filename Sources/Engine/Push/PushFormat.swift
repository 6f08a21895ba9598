import Foundation
import TributaryCore

/// The body formats `POST /ingest` reads: one JSON event or an array of them, or NDJSON.
enum PushFormat: Sendable {
    case json
    case ndjson

    init?(contentType: String?) {
        let type = (contentType ?? "").split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        switch type {
        case "application/json": self = .json
        case "application/x-ndjson", "application/jsonl", "application/jsonlines", "application/x-jsonlines": self = .ndjson
        default: return nil
        }
    }

    var transformation: String {
        switch self {
        case .json: "push:json"
        case .ndjson: "push:ndjson"
        }
    }

    /// Where the body does not parse, as a byte offset into the whole body (and the line, for NDJSON).
    struct ParseProblem: Error, CustomStringConvertible {
        var description: String
    }

    func parse(_ body: [UInt8]) -> Result<[JSONValue], ParseProblem> {
        switch self {
        case .json:
            do {
                let value = try JSONParser.parse(body)
                if case .array(let items) = value { return .success(items) }
                return .success([value])
            } catch {
                return .failure(ParseProblem(description: "invalid JSON at byte \(error.offset): \(error.message)"))
            }
        case .ndjson:
            var items: [JSONValue] = []
            var lineStart = 0
            var line = 1
            while lineStart < body.count {
                let end = body[lineStart...].firstIndex(of: 0x0A) ?? body.count
                var slice = body[lineStart..<end]
                if slice.last == 0x0D { slice = slice.dropLast() }
                if !slice.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) {
                    do { items.append(try JSONParser.parse(slice)) } catch {
                        return .failure(ParseProblem(description: "invalid JSON on line \(line) at byte \(lineStart + error.offset) of the body: \(error.message)"))
                    }
                }
                lineStart = end + 1
                line += 1
            }
            return .success(items)
        }
    }
}
