import TributaryCore

/// Writing records by their natural key.
///
/// Upsert semantics, the same in every adapter: a record new by (source, kind, symbol, key) is
/// inserted; one whose content hash equals the stored one is unchanged (skipped); a different
/// one replaces it and bumps its revision. A batch is one transaction: all of it, or none.
public protocol RecordWriter: Sendable {
    /// Stores a batch in one transaction.
    func upsert(_ batch: [Envelope]) async throws -> WriteResult
}
