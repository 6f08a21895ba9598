import TributaryCore

/// Where each imported file stands, committed in the same transaction as its records (and its
/// bad rows' dead letters, and the earlier ones a corrected file settles).
public protocol ImportCheckpointStore: DeadLetterStore {
    func importProgress(fileSHA256: String, source: String) async throws -> ImportProgress?

    /// One import batch in one transaction: its records, its bad rows and the file's checkpoint,
    /// so a `kill -9` leaves each batch wholly there or wholly absent and a re-run resumes after it.
    @discardableResult
    func commitImportBatch(_ batch: ImportBatch) async throws -> WriteResult

    /// The column types a source's imports have used so far (the schema later files must keep).
    func importColumns(source: String) async throws -> [String: String]

    /// Records columns seen for the first time (schema evolution: new columns are accepted and kept).
    func recordImportColumns(_ columns: [(name: String, type: String)], source: String, file: String) async throws
}

/// Where an import of a file stands: rows already committed, and whether it completed.
public struct ImportProgress: Sendable, Hashable {
    public var rowsDone = 0
    public var batches = 0
    public var stored = 0
    public var badRows = 0
    public var completed = false
    public init() {}
}

/// One committed piece of an imported file.
public struct ImportBatch: Sendable {
    public var records: [Envelope]
    public var deadLetters: [DeadLetter]
    public var fileSHA256: String
    public var source: String
    public var path: String
    /// Rows of the file read once this batch is in (the checkpoint a re-run resumes after).
    public var rowsDone: Int
    public var completed: Bool
    /// Earlier dead letters this batch settles: rows of a corrected file that now went in (or
    /// failed again, so the new dead letter takes over), resolved in the same transaction.
    public var resolutions: [DeadLetterResolution]
    /// The bucket object (or folder file) this batch completes: its state is written in the
    /// same transaction as the batch, so an object counts as imported exactly when its last
    /// rows are in. Only on the completing batch.
    public var object: ObjectState?
    /// `records` as the committing store's ``RecordPreparing/prepare(_:)`` encoded them, made
    /// off its writer; nil (or another store's) and the store encodes them itself.
    public var prepared: PreparedRecords?

    public init(
        records: [Envelope], deadLetters: [DeadLetter], fileSHA256: String, source: String, path: String, rowsDone: Int, completed: Bool,
        resolutions: [DeadLetterResolution] = [], object: ObjectState? = nil, prepared: PreparedRecords? = nil
    ) {
        self.object = object
        self.prepared = prepared
        self.records = records
        self.deadLetters = deadLetters
        self.resolutions = resolutions
        self.fileSHA256 = fileSHA256
        self.source = source
        self.path = path
        self.rowsDone = rowsDone
        self.completed = completed
    }
}
