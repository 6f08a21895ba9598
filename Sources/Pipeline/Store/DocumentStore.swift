import TributaryCore

/// Documents and their chunks: what a downstream vector index reads, and what tells it which
/// chunks to embed again. Every adapter plans a re-ingestion with ``ChunkPlan`` so they all
/// report the same added / changed / removed counts for the same edit.
public protocol DocumentStore: Sendable {
    /// Stores `document` (new, or its text changed) with its chunks, in one transaction. An
    /// unchanged content hash changes nothing but the tag, time and status; otherwise the
    /// version goes up and only chunks whose hash is new are written.
    func upsertDocument(_ document: Document, chunks: [DocumentChunk]) async throws -> ChunkPlan.Counts

    /// A read that failed: counted on the document (created as `failed` if it is new), its
    /// chunks kept as they were.
    func recordDocumentFailure(id: String, source: String, uri: String, error: String, at time: UTCTimestamp) async throws

    /// Marks a document deleted (its object is gone); its chunks are removed.
    func markDocumentDeleted(id: String, at time: UTCTimestamp) async throws

    /// A document and its chunks in order, or nil.
    func document(id: String) async throws -> (document: Document, chunks: [DocumentChunk])?

    /// Documents in id order after `after` (a page of an export).
    func documents(source: String?, after: String?, limit: Int) async throws -> [Document]

    /// Chunks in (document id, chunk id) order after `after` (a page of an export).
    func documentChunks(source: String?, after: (documentID: String, chunkID: Int)?, limit: Int) async throws -> [DocumentChunk]
}

/// How a document's new chunks replace its old ones, keyed by chunk hash.
///
/// A new chunk whose hash the document already had is kept (its position and offset may move;
/// nothing to embed). A new hash at a position whose old chunk is gone replaced it: changed.
/// Any other new hash is added; any other old hash is removed.
public struct ChunkPlan: Sendable, Hashable {
    public struct Counts: Sendable, Hashable {
        public var added = 0
        public var changed = 0
        public var removed = 0
        public var unchanged = 0
        /// The document's text was the one already stored: nothing was rewritten.
        public var sameContent = false
        public init(added: Int = 0, changed: Int = 0, removed: Int = 0, unchanged: Int = 0, sameContent: Bool = false) {
            self.added = added
            self.changed = changed
            self.removed = removed
            self.unchanged = unchanged
            self.sameContent = sameContent
        }
    }

    /// Chunks to insert (new hashes) and to move (kept hashes at a new position or offset).
    public var write: [DocumentChunk] = []
    /// Old chunk hashes to delete.
    public var delete: [String] = []
    public var counts = Counts()

    /// `old`: the stored chunks' (position, hash); `new`: the chunks now.
    public init(old: [(chunkID: Int, chunkHash: String)], new: [DocumentChunk]) {
        let oldHashes = Set(old.map(\.chunkHash))
        let newHashes = Set(new.map(\.chunkHash))
        let oldAt = Dictionary(old.map { ($0.chunkID, $0.chunkHash) }, uniquingKeysWith: { first, _ in first })
        var seen = Set<String>()
        var replacedHashes = Set<String>()
        for chunk in new {
            // A hash repeated inside the document is stored once (the first position).
            guard seen.insert(chunk.chunkHash).inserted else { continue }
            write.append(chunk)
            if oldHashes.contains(chunk.chunkHash) {
                counts.unchanged += 1
            } else if let replaced = oldAt[chunk.chunkID], !newHashes.contains(replaced), replacedHashes.insert(replaced).inserted {
                counts.changed += 1
            } else {
                counts.added += 1
            }
        }
        delete = oldHashes.subtracting(newHashes).sorted()
        counts.removed = delete.count - replacedHashes.count
    }
}
