import Foundation
import SwiftProtobuf
import TributaryCore

/// The body formats `POST /ingest` reads: one JSON event or an array of them, or NDJSON.
package enum PushFormat: Sendable {
    case json
    case ndjson
    /// `application/x-protobuf`: a `tributary.v1.Event`, or an `EventBatch` when the type says
    /// `messageType=tributary.v1.EventBatch`.
    case protobuf(batch: Bool)

    /// Nil for a type not read here, and for JSON or NDJSON declared in a charset other than
    /// UTF-8 (RFC 8259 §8.1: JSON exchanged between systems is UTF-8; `charset=utf-16` would be
    /// misread byte by byte).
    package init?(contentType: String?) {
        let parts = Self.mediaTypeParts(contentType ?? "")
        let type = parts.first ?? ""
        for parameter in parts.dropFirst() where parameter.hasPrefix("charset=") {
            var charset = parameter.utf8.dropFirst(8)
            while charset.first == UInt8(ascii: "\"") { charset = charset.dropFirst() }
            while charset.last == UInt8(ascii: "\"") { charset = charset.dropLast() }
            guard charset.elementsEqual("utf-8".utf8) || charset.elementsEqual("utf8".utf8) else { return nil }
        }
        switch type {
        case "application/json": self = .json
        case "application/x-ndjson", "application/jsonl", "application/jsonlines", "application/x-jsonlines": self = .ndjson
        case "application/x-protobuf", "application/protobuf":
            self = .protobuf(batch: parts.dropFirst().contains { $0.contains("eventbatch") })
        default: return nil
        }
    }

    /// A `Content-Type`'s media type and parameters: cut at `;`, stripped of HTTP's optional
    /// whitespace (space and tab), ASCII lowercased (a part of only whitespace stays, empty). On the bytes: with
    /// Foundation's `trimmingCharacters` this took 3.6 % of a process answering single-event pushes.
    static func mediaTypeParts(_ text: String) -> [String] {
        text.utf8.split(separator: UInt8(ascii: ";")).map { part in
            var part = part
            while let first = part.first, first == 0x20 || first == 0x09 { part = part.dropFirst() }
            while let last = part.last, last == 0x20 || last == 0x09 { part = part.dropLast() }
            return String(asciiLowercasing: part)
        }
    }

    package var transformation: String {
        switch self {
        case .json: "push:json"
        case .ndjson: "push:ndjson"
        case .protobuf: "push:protobuf"
        }
    }

    /// Where the body does not parse, as a byte offset into the whole body (and the line, for NDJSON).
    package struct ParseProblem: Error, CustomStringConvertible {
        package var description: String
    }

    package func parse(_ body: [UInt8]) -> Result<[JSONValue], ParseProblem> {
        switch self {
        case .json:
            do {
                let value = try JSONParser.parse(body, options: .rejectDuplicateKeys)
                if case .array(let items) = value { return .success(items) }
                return .success([value])
            } catch {
                return .failure(ParseProblem(description: "invalid JSON at byte \(error.offset): \(error.message)"))
            }
        case .protobuf(let batch):
            do {
                let events = batch ? try Tributary_V1_EventBatch(serializedBytes: body).events : [try Tributary_V1_Event(serializedBytes: body)]
                return .success(try events.map(Self.fields(of:)))
            } catch {
                return .failure(ParseProblem(description: "invalid Protobuf \(batch ? "tributary.v1.EventBatch" : "tributary.v1.Event"): \(error)"))
            }
        case .ndjson:
            return Self.lines(body[...], firstLine: 1)
        }
    }

    /// NDJSON lines of `body` (a slice of the whole body: offsets in messages are the body's),
    /// the first of them line `firstLine`; blank lines are skipped.
    package static func lines(_ body: ArraySlice<UInt8>, firstLine: Int) -> Result<[JSONValue], ParseProblem> {
        var items: [JSONValue] = []
        var lineStart = body.startIndex
        var line = firstLine
        while lineStart < body.endIndex {
            let end = body[lineStart...].firstIndex(of: 0x0A) ?? body.endIndex
            var slice = body[lineStart..<end]
            if slice.last == 0x0D { slice = slice.dropLast() }
            if !slice.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) {
                do { items.append(try JSONParser.parse(slice, options: .rejectDuplicateKeys)) } catch {
                    return .failure(
                        ParseProblem(description: "invalid JSON on line \(line) at byte \(lineStart + error.offset) of the body: \(error.message)"))
                }
            }
            lineStart = end + 1
            line += 1
        }
        return .success(items)
    }

    /// The elements of a chunk of a top-level JSON array (`range` holds whole elements).
    package static func arrayElements(_ body: [UInt8], _ range: Range<Int>) -> Result<[JSONValue], ParseProblem> {
        var wrapped: [UInt8] = [UInt8(ascii: "[")]
        wrapped.reserveCapacity(range.count + 2)
        wrapped.append(contentsOf: body[range])
        wrapped.append(UInt8(ascii: "]"))
        do {
            guard case .array(let items) = try JSONParser.parse(wrapped, options: .rejectDuplicateKeys) else { return .success([]) }
            return .success(items)
        } catch {
            // Offsets in the wrapped copy: one byte for the added bracket.
            let offset = range.lowerBound + min(max(error.offset - 1, 0), range.count)
            return .failure(ParseProblem(description: "invalid JSON at byte \(offset): \(error.message)"))
        }
    }

    /// A Protobuf event as the same named fields a JSON event has. A `fields` entry that repeats
    /// one of the event's own fields (`symbol` twice) is refused, as a duplicate JSON key is.
    static func fields(of event: Tributary_V1_Event) throws(ParseProblem) -> JSONValue {
        var members: [(key: String, value: JSONValue)] = [("kind", .string(event.kind))]
        if !event.symbol.isEmpty { members.append(("symbol", .string(event.symbol))) }
        if !event.venueSymbol.isEmpty { members.append(("venue_symbol", .string(event.venueSymbol))) }
        if !event.endpoint.isEmpty { members.append(("endpoint", .string(event.endpoint))) }
        func levels(_ levels: [Tributary_V1_Level]) -> JSONValue { .array(levels.map { .array([.string($0.price), .string($0.size)]) }) }
        if !event.bids.isEmpty || event.kind == "book" { members.append(("bids", levels(event.bids))) }
        if !event.asks.isEmpty || event.kind == "book" { members.append(("asks", levels(event.asks))) }
        if !event.symbols.isEmpty { members.append(("symbols", .array(event.symbols.map(JSONValue.string)))) }
        for (name, value) in event.fields.sorted(by: { $0.key < $1.key }) {
            guard !members.contains(where: { $0.key == name }) else {
                throw ParseProblem(
                    description: "invalid Protobuf tributary.v1.Event: fields['\(name.prefix(64))'] repeats the event's own \(name) field (send it once)")
            }
            members.append((name, .string(value)))
        }
        return .object(JSONObject(members))
    }
}
