import Foundation
import TributaryCore

/// Drains the buffer into a sink, a batch at a time, until the buffer is finished and empty.
///
/// Nothing is lost silently: a batch the sink refuses is written to the dead-letter store, one
/// entry per record with the reason, and counted. `run()` returns once the buffer has been
/// finished and drained — the last step of a graceful shutdown.
public struct SinkWorker: Sendable {
    public let buffer: NormalizationBuffer<Envelope>
    public let sink: any Sink
    public let deadLetters: SQLiteStore?
    public var batchSize: Int
    public var linger: Duration

    /// Totals of one run.
    public struct Totals: Sendable, Hashable {
        public var batches = 0
        public var stored = 0
        public var duplicates = 0
        public var deadLettered = 0
        public init() {}
    }

    public init(buffer: NormalizationBuffer<Envelope>, sink: any Sink, deadLetters: SQLiteStore?, batchSize: Int = 500, linger: Duration = .milliseconds(50)) {
        self.buffer = buffer
        self.sink = sink
        self.deadLetters = deadLetters
        self.batchSize = batchSize
        self.linger = linger
    }

    /// Runs until the buffer is finished and drained.
    public func run() async -> Totals {
        var totals = Totals()
        while let batch = await buffer.next(max: batchSize, linger: linger) {
            totals.batches += 1
            do {
                let result = try sink.write(batch)
                totals.stored += result.stored
                totals.duplicates += result.duplicates
            } catch {
                totals.deadLettered += deadLetter(batch, reason: "sink refused the batch: \(error)")
            }
        }
        return totals
    }

    private func deadLetter(_ batch: [Envelope], reason: String) -> Int {
        guard let deadLetters else { return 0 }
        var kept = 0
        for envelope in batch {
            if (try? deadLetters.deadLetter(source: envelope.record.source.rawValue, reason: reason, raw: Array(envelope.jsonLine.utf8))) != nil { kept += 1 }
        }
        return kept
    }
}
