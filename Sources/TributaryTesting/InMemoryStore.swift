import Pipeline
import Synchronization
import TributaryCore

/// Every storage port in memory, with the same semantics as the database adapters: upsert by
/// natural key, unchanged-skip on an equal content hash, revisions, dead letters with ids,
/// idempotency keys with expiry, import checkpoints committed with their batch.
///
/// For unit tests of the engine and the HTTP surface, and as the reference the store contract
/// suite holds SQLite and PostgreSQL to. `unavailable` makes every write throw
/// ``StoreUnavailable`` (an outage) until it is cleared.
public final class InMemoryStore: RecordStore {
    /// Compared byte for byte, as the databases compare text: Swift's `String` equality is
    /// canonical equivalence, under which `café` (U+00E9) and `cafe` + U+0301 would be one key.
    struct Key: Hashable {
        var source: [UInt8], kind: [UInt8], symbol: [UInt8], naturalKey: [UInt8]
        init(source: String, kind: String, symbol: String, naturalKey: String) {
            (self.source, self.kind, self.symbol, self.naturalKey) = (Array(source.utf8), Array(kind.utf8), Array(symbol.utf8), Array(naturalKey.utf8))
        }
    }

    struct Stored {
        var envelope: Envelope
        var revision: Int
    }

    struct State {
        var records: [Key: Stored] = [:]
        var deadLetters: [DeadLetter] = []
        /// Ids are never reused, even after a delete (as in the databases).
        var lastDeadLetterID: Int64 = 0
        var gaps: [Gap] = []
        var idempotency: [[UInt8]: (response: IdempotentResponse, expiresAt: Int64)] = [:]
        var webhookIDs: [[UInt8]: Int64] = [:]
        var imports: [[UInt8]: ImportProgress] = [:]
        var objects: [[UInt8]: ObjectState] = [:]
        var documents: [String: Document] = [:]
        /// Each document's chunks by hash.
        var chunks: [String: [String: DocumentChunk]] = [:]
        var columns: [String: [String: String]] = [:]
        var features: [[UInt8]: StoredFeatureRow] = [:]
        var featureCheckpoints: [[UInt8]: FeatureCheckpoint] = [:]
        var unavailable: String?
    }

    let state = Mutex(State())
    public let location: String
    public let deadLetterMaxBytes: Int

    public init(location: String = "memory:", deadLetterMaxBytes: Int = 64 * 1024) {
        self.location = location
        self.deadLetterMaxBytes = deadLetterMaxBytes
    }

    /// While set, every write fails as the store being unavailable with this reason.
    public func setUnavailable(_ reason: String?) {
        state.withLock { $0.unavailable = reason }
    }

    /// Two texts as one byte-exact key.
    private static func slot(_ a: String, _ b: String) -> [UInt8] { Array(a.utf8) + [0] + Array(b.utf8) }

    func write<T>(_ body: (inout State) throws -> T) throws -> T {
        try state.withLock { state in
            if let reason = state.unavailable { throw StoreUnavailable(location: location, reason: reason) }
            return try body(&state)
        }
    }

    // MARK: Records

    public func upsert(_ batch: [Envelope]) throws -> WriteResult {
        try write { state in Self.upsert(batch, into: &state) }
    }

    private static func upsert(_ batch: [Envelope], into state: inout State) -> WriteResult {
        var result = WriteResult()
        for envelope in batch {
            let record = envelope.record
            let key = Key(source: record.source.rawValue, kind: record.kind.rawValue, symbol: record.symbol, naturalKey: envelope.identity ?? record.naturalKey)
            if let stored = state.records[key] {
                if stored.envelope.provenance.contentHash == envelope.provenance.contentHash { result.unchanged += 1; continue }
                state.records[key] = Stored(envelope: envelope, revision: stored.revision + 1)
                result.updated += 1
            } else {
                state.records[key] = Stored(envelope: envelope, revision: 1)
                result.inserted += 1
            }
        }
        return result
    }

    public func latest(symbol: String, kind: Record.Kind) -> [LatestRecord] {
        state.withLock { state in
            var newest: [String: Stored] = [:]
            let (symbolBytes, kindBytes) = (Array(symbol.utf8), Array(kind.rawValue.utf8))
            for (key, stored) in state.records where key.symbol == symbolBytes && key.kind == kindBytes {
                let source = stored.envelope.record.source.rawValue
                if let current = newest[source],
                    (current.envelope.record.asOf ?? .supportedRange.lowerBound) >= (stored.envelope.record.asOf ?? .supportedRange.lowerBound)
                {
                    continue
                }
                newest[source] = stored
            }
            return newest.sorted { $0.key < $1.key }.map { source, stored in
                LatestRecord(source: source, envelope: stored.envelope, asOf: stored.envelope.record.asOf)
            }
        }
    }

    public func storedRecord(source: SourceID, kind: Record.Kind, symbol: String, naturalKey: String) -> (envelope: Envelope, revision: Int)? {
        state.withLock { state in
            state.records[Key(source: source.rawValue, kind: kind.rawValue, symbol: symbol, naturalKey: naturalKey)].map { ($0.envelope, $0.revision) }
        }
    }

    public func recordCount() -> Int { state.withLock { $0.records.count } }

    public func records(_ query: RecordQuery, after cursor: RecordQuery.Cursor?, limit: Int) -> RecordPage {
        let matching = state.withLock { state in state.records.values.map(\.envelope).filter(query.matches) }
        let keyed: [(position: RecordQuery.Cursor, envelope: Envelope)] = matching.map { (RecordQuery.Cursor(after: $0), $0) }
        let ordered = keyed.filter { entry in cursor.map { $0 < entry.position } ?? true }.sorted { $0.position < $1.position }
        let page = Array(ordered.prefix(limit))
        return RecordPage(envelopes: page.map(\.envelope), next: page.count == limit ? page.last?.position : nil)
    }

    // MARK: Dead letters

    public func deadLetter(_ letter: DeadLetter) throws -> Int64 {
        try write { state in Self.insert(letter, into: &state, maxBytes: deadLetterMaxBytes) }
    }

    private static func insert(_ letter: DeadLetter, into state: inout State, maxBytes: Int) -> Int64 {
        state.lastDeadLetterID += 1
        let id = state.lastDeadLetterID
        var kept = letter
        kept.id = id
        switch letter.payload {
        case .response(let call, let status, let body) where body.count > maxBytes:
            kept.payload = .response(call: call, status: status, body: Array(body.prefix(maxBytes)))
        case .row(let file, let line, let raw) where raw.count > maxBytes:
            kept.payload = .row(file: file, line: line, raw: Array(raw.prefix(maxBytes)))
        default: break
        }
        state.deadLetters.append(kept)
        return id
    }

    public func deadLetters(limit: Int, source: String?, pending: Bool) -> [DeadLetter] {
        state.withLock { state in
            Array(state.deadLetters.reversed().filter { (source == nil || $0.source == source) && (!pending || $0.isPending) }.prefix(limit))
        }
    }

    public func deadLetter(id: Int64) -> DeadLetter? {
        state.withLock { state in state.deadLetters.first { $0.id == id } }
    }

    public func markReplayed(id: Int64, at time: UTCTimestamp) throws {
        try write { state in
            guard let index = state.deadLetters.firstIndex(where: { $0.id == id }) else { return }
            state.deadLetters[index].replayedAt = time
        }
    }

    public func deadLetterCount(pending: Bool = false) -> Int {
        state.withLock { state in pending ? state.deadLetters.count(where: \.isPending) : state.deadLetters.count }
    }

    public func resolveDeadLetters(_ resolutions: [DeadLetterResolution], at time: UTCTimestamp) throws -> Int {
        try write { state in Self.resolve(resolutions, at: time, in: &state) }
    }

    private static func resolve(_ resolutions: [DeadLetterResolution], at time: UTCTimestamp, in state: inout State) -> Int {
        var resolved = 0
        for resolution in resolutions {
            guard let index = state.deadLetters.firstIndex(where: { $0.id == resolution.id }), state.deadLetters[index].isPending else { continue }
            state.deadLetters[index].resolvedAt = time
            state.deadLetters[index].resolution = resolution.note
            resolved += 1
        }
        return resolved
    }

    public func deleteDeadLetters(ids: [Int64]) throws -> Int {
        let doomed = Set(ids)
        return try write { state in
            let before = state.deadLetters.count
            state.deadLetters.removeAll { $0.id.map(doomed.contains) ?? false }
            return before - state.deadLetters.count
        }
    }

    public func deleteSettledDeadLetters(source: String?) throws -> Int {
        try write { state in
            let before = state.deadLetters.count
            state.deadLetters.removeAll { !$0.isPending && (source == nil || $0.source == source) }
            return before - state.deadLetters.count
        }
    }

    public func pendingRowDeadLetters(source: String, file: String) -> [Int: [Int64]] {
        state.withLock { state in
            var lines: [Int: [Int64]] = [:]
            for letter in state.deadLetters where letter.source == source && letter.isPending {
                if case .row(let path, let line, _) = letter.payload, path == file, let id = letter.id { lines[line, default: []].append(id) }
            }
            return lines
        }
    }

    // MARK: Gaps

    public func recordGaps(_ gaps: [Gap], detectedAt: UTCTimestamp) throws -> Int {
        try write { state in
            var added = 0
            for gap in gaps
            where !state.gaps.contains(where: { $0.source == gap.source && $0.symbol == gap.symbol && $0.interval == gap.interval && $0.from == gap.from }) {
                state.gaps.append(gap)
                added += 1
            }
            return added
        }
    }

    public func gaps(source: SourceID?, limit: Int) -> [Gap] {
        state.withLock { state in
            Array(state.gaps.filter { source == nil || $0.source == source }.sorted { $0.from > $1.from }.prefix(limit))
        }
    }

    // MARK: Idempotency keys and webhook ids

    public func idempotentResponse(source: String, key: String, now: Int64) -> IdempotentResponse? {
        state.withLock { state in
            state.idempotency[Self.slot(source, key)].flatMap { $0.expiresAt > now ? $0.response : nil }
        }
    }

    public func saveIdempotentResponse(source: String, key: String, _ response: IdempotentResponse, now: Int64, expiresAt: Int64) throws {
        try write { $0.idempotency[Self.slot(source, key)] = (response, expiresAt) }
    }

    public func purgeIdempotencyKeys(now: Int64) throws -> Int {
        try write { state in
            let before = state.idempotency.count
            state.idempotency = state.idempotency.filter { $0.value.expiresAt > now }
            return before - state.idempotency.count
        }
    }

    public func rememberWebhookID(source: String, id: String, now: Int64, forgetBefore: Int64) throws -> Bool {
        try write { state in
            state.webhookIDs = state.webhookIDs.filter { $0.value >= forgetBefore }
            return state.webhookIDs.updateValue(now, forKey: Self.slot(source, id)) == nil
        }
    }

    // MARK: Imports

    public func importProgress(fileSHA256: String, source: String) -> ImportProgress? {
        state.withLock { $0.imports[Self.slot(fileSHA256, source)] }
    }

    public func commitImportBatch(_ batch: ImportBatch) throws -> WriteResult {
        try write { state in
            let result = Self.upsert(batch.records, into: &state)
            for letter in batch.deadLetters { _ = Self.insert(letter, into: &state, maxBytes: deadLetterMaxBytes) }
            _ = Self.resolve(batch.resolutions, at: .now(), in: &state)
            var progress = state.imports[Self.slot(batch.fileSHA256, batch.source)] ?? ImportProgress()
            progress.rowsDone = batch.rowsDone
            progress.batches += 1
            progress.stored += result.stored
            progress.badRows += batch.deadLetters.count
            progress.completed = batch.completed
            state.imports[Self.slot(batch.fileSHA256, batch.source)] = progress
            if let object = batch.object { state.objects[Self.slot(object.source, object.uri)] = object }
            return result
        }
    }

    public func importColumns(source: String) -> [String: String] {
        state.withLock { $0.columns[source] ?? [:] }
    }

    public func recordImportColumns(_ columns: [(name: String, type: String)], source: String, file: String) throws {
        try write { state in
            for column in columns where state.columns[source]?[column.name] == nil { state.columns[source, default: [:]][column.name] = column.type }
        }
    }

    // MARK: Objects of buckets and folders

    public func objectStates(source: String, uriPrefix: String) -> [String: ObjectState] {
        state.withLock { state in
            var found: [String: ObjectState] = [:]
            for object in state.objects.values where object.source == source && object.uri.hasPrefix(uriPrefix) { found[object.uri] = object }
            return found
        }
    }

    public func recordObjectStates(_ states: [ObjectState]) throws {
        try write { state in
            for object in states { state.objects[Self.slot(object.source, object.uri)] = object }
        }
    }

    // MARK: Documents

    public func upsertDocument(_ document: Document, chunks: [DocumentChunk]) throws -> ChunkPlan.Counts {
        try write { state in
            let existing = state.documents[document.id]
            var stored = document
            if let existing, existing.contentHash == document.contentHash, existing.status == .active {
                stored.version = existing.version
                state.documents[document.id] = stored
                return ChunkPlan.Counts(unchanged: state.chunks[document.id]?.count ?? 0, sameContent: true)
            }
            let old = (state.chunks[document.id] ?? [:]).values.map { (chunkID: $0.chunkID, chunkHash: $0.chunkHash) }
            let plan = ChunkPlan(old: old, new: chunks)
            for hash in plan.delete { state.chunks[document.id]?[hash] = nil }
            for chunk in plan.write { state.chunks[document.id, default: [:]][chunk.chunkHash] = chunk }
            stored.version = existing.map { $0.contentHash == document.contentHash ? $0.version : $0.version + 1 } ?? 1
            state.documents[document.id] = stored
            return plan.counts
        }
    }

    public func recordDocumentFailure(id: String, source: String, uri: String, error: String, at time: UTCTimestamp) throws {
        try write { state in
            if var existing = state.documents[id] {
                existing.errorCount += 1
                existing.error = error
                existing.updatedAt = time
                if existing.status == .deleted { existing.status = .failed }
                state.documents[id] = existing
            } else {
                state.documents[id] = Document(
                    id: id, source: source, uri: uri, contentHash: "", version: 0, status: .failed, errorCount: 1, error: error, updatedAt: time)
            }
        }
    }

    public func markDocumentDeleted(id: String, at time: UTCTimestamp) throws {
        try write { state in
            state.chunks[id] = nil
            state.documents[id]?.status = .deleted
            state.documents[id]?.updatedAt = time
        }
    }

    public func document(id: String) -> (document: Document, chunks: [DocumentChunk])? {
        state.withLock { state in
            state.documents[id].map { ($0, (state.chunks[id] ?? [:]).values.sorted { $0.chunkID < $1.chunkID }) }
        }
    }

    public func documents(source: String?, after: String?, limit: Int) -> [Document] {
        state.withLock { state in
            Array(
                state.documents.values.filter { (source == nil || $0.source == source) && $0.id > (after ?? "") }.sorted { $0.id < $1.id }.prefix(limit))
        }
    }

    public func documentChunks(source: String?, after: (documentID: String, chunkID: Int)?, limit: Int) -> [DocumentChunk] {
        state.withLock { state in
            let ids = state.documents.values.filter { source == nil || $0.source == source }.map(\.id).sorted()
            var out: [DocumentChunk] = []
            for id in ids where out.count < limit {
                for chunk in (state.chunks[id] ?? [:]).values.sorted(by: { $0.chunkID < $1.chunkID }) where out.count < limit {
                    if let after, (id, chunk.chunkID) <= (after.documentID, after.chunkID) { continue }
                    out.append(chunk)
                }
            }
            return out
        }
    }
}
