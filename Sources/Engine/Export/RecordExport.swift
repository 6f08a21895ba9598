import Pipeline
import TributaryCore

/// Stored records as CSV or JSON Lines, streamed a page at a time (`tributary export`,
/// `GET /records`): memory stays bounded by the page size, whatever the range.
///
/// CSV has one header per kind: `source, endpoint, symbol, venue_symbol`, the kind's fields in
/// the record model's order, then `content_hash, observed_at, ingested_at, source_type,
/// request_id`. Decimals are their exact text, times RFC 3339 with milliseconds, a book's levels
/// and a news item's symbols compact JSON; RFC 4180 quoting. JSON Lines are the records as
/// `fetch --json` prints them, provenance included.
public enum RecordExport {
    public enum Format: String, Sendable, CaseIterable {
        case csv, jsonl
        public var contentType: String { self == .csv ? "text/csv; charset=utf-8" : "application/x-ndjson" }
    }

    static let provenanceColumns = ["content_hash", "observed_at", "ingested_at", "source_type", "request_id"]

    public static func header(_ kind: Record.Kind) -> [String] {
        ["source", "endpoint", "symbol", "venue_symbol"] + (RecordBuilder.fields[kind] ?? []) + provenanceColumns
    }

    /// One record as a CSV line (with its newline), in ``header(_:)``'s order.
    public static func csvLine(_ envelope: Envelope) -> String {
        let object = envelope.record.jsonObject()
        let p = envelope.provenance
        let provenance = [p.contentHash, p.observedAt.rfc3339, p.ingestedAt.rfc3339, p.sourceType.rawValue, p.requestID]
        var cells: [String] = []
        for name in header(envelope.record.kind).dropLast(provenanceColumns.count) {
            switch object[name] {
            case .string(let text)?: cells.append(text)
            case .number(let text)?: cells.append(text)
            case .bool(let flag)?: cells.append(flag ? "true" : "false")
            case .array?, .object?: cells.append(object[name].map { JSONWriter.string($0) } ?? "")
            case .null?, nil: cells.append("")
            }
        }
        return (cells + provenance).map(quoted).joined(separator: ",") + "\n"
    }

    static func quoted(_ cell: String) -> String {
        guard cell.utf8.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) else { return cell }
        return "\"" + cell.replacingQuotes() + "\""
    }

    /// Reads `query` page by page and hands each page's bytes to `write`; returns how many records.
    @discardableResult
    public static func stream(
        from store: any RecordReader, _ query: RecordQuery, format: Format, pageSize: Int = 1_000,
        write: ([UInt8]) async throws -> Void
    ) async throws -> Int {
        if format == .csv { try await write(Array((header(query.kind).joined(separator: ",") + "\n").utf8)) }
        var cursor: RecordQuery.Cursor?
        var count = 0
        repeat {
            let page = try await store.records(query, after: cursor, limit: pageSize)
            var bytes: [UInt8] = []
            bytes.reserveCapacity(page.envelopes.count * 256)
            for envelope in page.envelopes {
                switch format {
                case .csv: bytes.append(contentsOf: csvLine(envelope).utf8)
                case .jsonl:
                    envelope.writeJSON(into: &bytes)
                    bytes.append(0x0A)
                }
            }
            if !bytes.isEmpty { try await write(bytes) }
            count += page.envelopes.count
            cursor = page.next
        } while cursor != nil
        return count
    }
}

extension String {
    /// `"` doubled, as RFC 4180 escapes it inside a quoted cell.
    func replacingQuotes() -> String {
        var out = ""
        out.reserveCapacity(utf8.count + 2)
        for character in self { if character == "\"" { out += "\"\"" } else { out.append(character) } }
        return out
    }
}
