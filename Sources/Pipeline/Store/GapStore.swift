import TributaryCore

/// Holes in bar series, as rows a user can query.
public protocol GapStore: Sendable {
    /// Records gaps (one already recorded with the same start is kept as it was); returns how many were new.
    @discardableResult
    func recordGaps(_ gaps: [Gap], detectedAt: UTCTimestamp) async throws -> Int

    /// Recorded gaps, newest first.
    func gaps(source: SourceID?, limit: Int) async throws -> [Gap]
}
