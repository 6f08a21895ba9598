/// What one store write did: records new by their natural key, records whose content changed
/// (a new revision), and records already stored with the same content hash (skipped).
public struct WriteResult: Sendable, Hashable {
    public var inserted = 0
    public var updated = 0
    /// Already stored with the same content hash.
    public var unchanged = 0

    public init(inserted: Int = 0, updated: Int = 0, unchanged: Int = 0) {
        self.inserted = inserted
        self.updated = updated
        self.unchanged = unchanged
    }

    /// Inserted or updated: what changed in the store.
    public var stored: Int { inserted + updated }

    public static func + (lhs: WriteResult, rhs: WriteResult) -> WriteResult {
        WriteResult(inserted: lhs.inserted + rhs.inserted, updated: lhs.updated + rhs.updated, unchanged: lhs.unchanged + rhs.unchanged)
    }
}
