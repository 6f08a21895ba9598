import Foundation
import GRDB
import Pipeline
import TributaryCore

/// Turns the rows of one read of a kind table (``SQLiteStore/selectSQL(_:extra:)``) into envelopes.
///
/// Why a decoder per read rather than a function per row: GRDB's `row["name"]` finds a column by
/// comparing every name case-insensitively, lowercasing on each call — a third of an export's CPU —
/// so the positions are looked up once, from the first row; and the rows of one batch share its
/// provenance, so a batch's columns (its transformations a JSON array) are decoded once per batch.
struct SQLiteRowDecoder {
    let table: SQLiteKindTable
    private var positions: [String: Int] = [:]
    private var batches: [Int64: BatchColumns] = [:]

    /// A batch's part of a record's envelope.
    private struct BatchColumns {
        var endpoint: String
        /// The batch's provenance (its transformations the batch's own), each row stamped from it.
        var stamp: Provenance
    }

    init(table: SQLiteKindTable) { self.table = table }

    mutating func envelopes(_ rows: [Row]) throws -> [Envelope] {
        var envelopes: [Envelope] = []
        envelopes.reserveCapacity(rows.count)
        for row in rows { envelopes.append(try envelope(row)) }
        return envelopes
    }

    mutating func envelope(_ row: Row) throws -> Envelope {
        if positions.isEmpty {
            for (index, name) in row.columnNames.enumerated() where positions[name] == nil { positions[name] = index }
        }
        guard let key = SQLiteStoredKey.fromDatabaseValue(value(row, "key"))?.string else {
            throw StoredRowError(table: table.name, column: "key", problem: "is not an integer or text key")
        }
        let symbol = try text(row, "symbol", of: "symbols")
        let payload = try table.payload(key: key) { name in value(row, name) }
        let batch = try batchColumns(row)
        let record = TributaryCore.Record(
            source: SourceID(try text(row, "source_id", of: "sources")), endpoint: batch.endpoint, symbol: symbol,
            venueSymbol: String.fromDatabaseValue(value(row, "venue_symbol")) ?? symbol, payload: payload)
        var transformations = batch.stamp.transformations
        if let line = Int64.fromDatabaseValue(value(row, "line")) { transformations.append(Provenance.lineStep(line)) }
        if let extra = String.fromDatabaseValue(value(row, "extra_transformations")) {
            transformations += try Self.texts(extra, table: table.name, column: "extra_transformations")
        }
        guard let hash = Data.fromDatabaseValue(value(row, "content_hash")) else {
            throw StoredRowError(table: table.name, column: "content_hash", problem: "is not a blob")
        }
        // A 32-byte column is the digest itself; anything else is shown as the hex it holds.
        let digest = hash.withUnsafeBytes { ContentDigest(bytes: $0) }
        let provenance =
            digest.map { batch.stamp.stamping(contentDigest: $0, transformations: transformations) }
            ?? batch.stamp.stamping(contentHash: "sha256:" + ContentHash.hex(Array(hash)), transformations: transformations)
        return Envelope(record: record, provenance: provenance, identity: key == record.naturalKey ? nil : key)
    }

    /// The row's revision (1 when the column is absent).
    func revision(_ row: Row) -> Int { Int.fromDatabaseValue(value(row, "revision")) ?? 1 }

    private func value(_ row: Row, _ name: String) -> DatabaseValue {
        guard let index = positions[name] else { return .null }
        return row[index]
    }

    private func text(_ row: Row, _ name: String, of table: String) throws -> String {
        guard let text = String.fromDatabaseValue(value(row, name)) else { throw StoredRowError(table: table, column: name, problem: "is not text") }
        return text
    }

    private func time(_ row: Row, _ name: String) throws -> UTCTimestamp {
        guard let nanos = Int64.fromDatabaseValue(value(row, name)) else { throw StoredRowError(table: "batches", column: name, problem: "is NULL") }
        return UTCTimestamp(nanosecondsSinceEpoch: nanos)
    }

    private mutating func batchColumns(_ row: Row) throws -> BatchColumns {
        guard let id = Int64.fromDatabaseValue(value(row, "batch")) else { throw StoredRowError(table: table.name, column: "batch", problem: "is NULL") }
        if let known = batches[id] { return known }
        let typeText = try text(row, "b_source_type", of: "batches")
        guard let type = Provenance.SourceType(rawValue: typeText) else {
            throw StoredRowError(table: "batches", column: "source_type", problem: "unknown '\(typeText.prefix(80))'")
        }
        let columns = BatchColumns(
            endpoint: try text(row, "b_endpoint", of: "batches"),
            stamp: Provenance(
                sourceID: SourceID(try text(row, "b_source_id", of: "sources")), sourceType: type, sourceURI: try text(row, "b_source_uri", of: "batches"),
                contentHash: "", hashAlgorithm: try text(row, "b_hash_algorithm", of: "batches"), ingestedAt: try time(row, "b_ingested_at"),
                observedAt: try time(row, "b_observed_at"), purpose: try text(row, "b_purpose", of: "batches"),
                classification: String.fromDatabaseValue(value(row, "b_classification")), parentID: String.fromDatabaseValue(value(row, "b_parent_id")),
                transformations: try Self.texts(try text(row, "b_transformations", of: "batches"), table: "batches", column: "transformations"),
                ingestedBy: try text(row, "b_ingested_by", of: "batches"), batchID: String.fromDatabaseValue(value(row, "b_batch_id")),
                requestID: try text(row, "b_request_id", of: "batches")))
        // A read spans few batches; the cap keeps a pathological one (a row per batch) bounded.
        if batches.count >= 1_024 { batches.removeAll(keepingCapacity: true) }
        batches[id] = columns
        return columns
    }

    private static func texts(_ json: String, table: String, column: String) throws -> [String] {
        guard case .array(let items)? = try? JSONParser.parse(Array(json.utf8)) else {
            throw StoredRowError(table: table, column: column, problem: "is not a JSON array")
        }
        return items.compactMap(\.stringValue)
    }
}
