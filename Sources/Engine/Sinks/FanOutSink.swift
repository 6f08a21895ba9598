import Pipeline
import Synchronization
import TributaryCore

/// Writes every batch to a primary sink (the store) and then to extra sinks (`--sink jsonl:PATH`).
///
/// The primary decides the batch's fate: if it refuses, the batch is dead-lettered by the
/// worker. An extra sink's failure does not undo the primary's write; it is counted and
/// reported, so a full disk under a JSON Lines file is visible rather than silent.
public final class FanOutSink: RecordSink {
    public let primary: any RecordSink
    public let extras: [(name: String, sink: any RecordSink)]
    private let failures = Mutex<[String: Int]>([:])

    public init(primary: any RecordSink, extras: [(name: String, sink: any RecordSink)]) {
        self.primary = primary
        self.extras = extras
    }

    public func write(_ batch: [Envelope]) async throws -> SinkWriteResult {
        let result = try await primary.write(batch)
        for extra in extras {
            do { _ = try await extra.sink.write(batch) } catch { failures.withLock { $0[extra.name, default: 0] += batch.count } }
        }
        return result
    }

    /// Records an extra sink failed to write, by sink name.
    public var extraFailures: [String: Int] { failures.withLock { $0 } }
}
