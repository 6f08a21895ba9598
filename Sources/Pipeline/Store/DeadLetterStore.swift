import TributaryCore

/// What could not be decoded or stored, kept with why (`tributary dlq`).
public protocol DeadLetterStore: Sendable {
    /// Keeps a dead letter; a raw body longer than the store's cap is cut (and marked truncated).
    @discardableResult
    func deadLetter(_ letter: DeadLetter) async throws -> Int64

    /// Dead letters, newest first; `pending` leaves out the ones already replayed.
    func deadLetters(limit: Int, source: String?, pending: Bool) async throws -> [DeadLetter]

    /// One dead letter by id.
    func deadLetter(id: Int64) async throws -> DeadLetter?

    /// Marks a dead letter as replayed (it stays, for the record).
    func markReplayed(id: Int64, at time: UTCTimestamp) async throws

    /// How many dead letters are kept.
    func deadLetterCount() async throws -> Int
}

extension DeadLetterStore {
    public func deadLetters(limit: Int = 100, source: String? = nil) async throws -> [DeadLetter] {
        try await deadLetters(limit: limit, source: source, pending: false)
    }
}
