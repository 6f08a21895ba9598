import TributaryCore

/// What could not be decoded or stored, kept with why (`tributary dlq`).
///
/// A dead letter's lifecycle: **pending** when kept; **replayed** once `dlq replay` stored it;
/// **resolved** when its row was imported cleanly from a corrected file, when that row failed
/// again (the newer dead letter takes over), or when a person says so (`dlq resolve`). Settled
/// ones stay for the record until deleted (`dlq delete`).
public protocol DeadLetterStore: Sendable {
    /// Keeps a dead letter; a raw body longer than the store's cap is cut (and marked truncated).
    @discardableResult
    func deadLetter(_ letter: DeadLetter) async throws -> Int64

    /// Dead letters, newest first; `pending` leaves out the ones already replayed or resolved.
    func deadLetters(limit: Int, source: String?, pending: Bool) async throws -> [DeadLetter]

    /// One dead letter by id.
    func deadLetter(id: Int64) async throws -> DeadLetter?

    /// Marks a dead letter as replayed (it stays, for the record).
    func markReplayed(id: Int64, at time: UTCTimestamp) async throws

    /// Marks pending dead letters resolved, each with its note; returns how many were pending
    /// (the others — unknown ids, already replayed or resolved — are left as they are).
    @discardableResult
    func resolveDeadLetters(_ resolutions: [DeadLetterResolution], at time: UTCTimestamp) async throws -> Int

    /// Deletes dead letters by id; returns how many there were.
    @discardableResult
    func deleteDeadLetters(ids: [Int64]) async throws -> Int

    /// Deletes every settled (replayed or resolved) dead letter, of one source or of all.
    @discardableResult
    func deleteSettledDeadLetters(source: String?) async throws -> Int

    /// The pending dead letters of one imported file's rows, by line: an import of a corrected
    /// file resolves them as their lines go in (`file` as the import was given it).
    func pendingRowDeadLetters(source: String, file: String) async throws -> [Int: [Int64]]

    /// How many dead letters are kept; `pending` counts only those not yet replayed or resolved.
    func deadLetterCount(pending: Bool) async throws -> Int
}

/// Why a dead letter is settled without a replay.
public struct DeadLetterResolution: Sendable, Hashable {
    public var id: Int64
    public var note: String

    public init(id: Int64, note: String) {
        self.id = id
        self.note = note
    }
}

extension DeadLetterStore {
    public func deadLetters(limit: Int = 100, source: String? = nil) async throws -> [DeadLetter] {
        try await deadLetters(limit: limit, source: source, pending: false)
    }

    /// How many dead letters are kept, settled or not.
    public func deadLetterCount() async throws -> Int { try await deadLetterCount(pending: false) }
}
