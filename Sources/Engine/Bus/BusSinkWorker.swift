import Foundation
import Logging
import Pipeline
import TributaryCore

/// `tributary sink`: drains the record bus into the store, at least once, never blocked by a
/// poison message.
///
/// Each fetched batch is decoded (CloudEvents → envelopes) and upserted in one write; only after
/// the store committed it are its messages acknowledged, so a `kill -9` between the two means a
/// redelivery, which the upsert by natural key and content hash turns into duplicates, never
/// into two rows. A message that is not a record (bad JSON, a foreign event, a record the model
/// refuses) goes to the dead letters with its stream sequence and is rejected so it is not
/// delivered again. While the store is unavailable the batch is held and retried (the bus keeps
/// the rest; lag grows and drains afterwards); a batch the store refuses is dead-lettered record
/// by record, as the in-process sink does.
public struct BusSinkWorker: Sendable {
    public let consumer: any BusConsumer
    public let store: any RecordSink & DeadLetterStore
    /// Records per store transaction, about: a fetch asks for this many messages divided by the
    /// events per message of the batch before.
    public var batchSize = 500
    /// How long a fetch waits for the first message.
    public var fetchWait: Duration = .seconds(1)
    /// Wait between attempts while the store or the bus is unavailable.
    public var retryDelay: Duration = .seconds(1)
    public var metrics = SinkMetrics()
    /// Called with the store's problem when it becomes unavailable, and nil when it recovers.
    public var onStoreHealth: @Sendable (StoreUnavailable?) -> Void = { _ in }
    /// Called with the bus's problem when a fetch fails, and nil when fetches work again.
    public var onBusHealth: @Sendable ((any Error)?) -> Void = { _ in }
    /// Called after each committed batch with the running totals.
    public var onBatch: @Sendable (Totals) -> Void = { _ in }

    public struct Totals: Sendable, Hashable {
        public var batches = 0
        public var messages = 0
        public var stored = 0
        public var revisions = 0
        public var duplicates = 0
        /// Poison messages and records the store refused, kept as dead letters.
        public var deadLettered = 0
        /// Messages delivered more than once (a sink died, or an acknowledgement was lost).
        public var redelivered = 0
        /// Batches an extra sink (documents) failed to take after the store committed them.
        public var extraFailures = 0
        /// Records the store refused whose dead letter could not be written either: left
        /// unacknowledged, so the bus delivers them again (counted each time).
        public var unkept = 0
        /// Acknowledgements the bus did not take: those messages come again (harmless duplicates).
        public var acknowledgeFailures = 0
        public init() {}
    }

    /// Sinks that see each batch after the store committed it (news articles kept as documents);
    /// their failures neither undo the commit nor hold the acknowledgement — what they derive
    /// can be derived again from the stored records.
    public var extras: [any RecordSink] = []
    /// Where failures that change what happens to a batch are said.
    public var logger: Logger?

    public init(consumer: any BusConsumer, store: any RecordSink & DeadLetterStore, batchSize: Int = 500) {
        self.consumer = consumer
        self.store = store
        self.batchSize = batchSize
    }

    /// Runs until the task is cancelled (the service's shutdown); a batch in the store is always
    /// acknowledged before returning.
    ///
    /// The next batch is fetched and decoded while the current one commits (two stages, so the
    /// sink's decoding and the database's commit overlap instead of taking turns); writes and
    /// acknowledgements stay in fetch order, one batch at a time.
    public func run() async -> Totals {
        var totals = Totals()
        var health = Health()
        // Events per message in the last batch: a fetch asks for about `batchSize` records, so a
        // transaction stays about that size.
        var eventsPerMessage = 1
        var fetched = await fetchBatch(max: batchSize)
        while true {
            if case .failed(let error) = fetched {
                if !health.busDown { health.busDown = true; onBusHealth(error) }
                try? await Task.sleep(for: retryDelay)
            } else if health.busDown {
                health.busDown = false
                onBusHealth(nil)
            }
            guard case .batch(let prepared) = fetched else {
                if case .cancelled = fetched { return totals }
                if Task.isCancelled { return totals }
                fetched = await fetchBatch(max: max(1, batchSize / eventsPerMessage))
                continue
            }
            eventsPerMessage = prepared.eventsPerMessage
            totals.batches += 1
            totals.messages += prepared.messages.count
            totals.redelivered += prepared.messages.count { $0.deliveries > 1 }
            totals.deadLettered += prepared.deadLettered
            // At shutdown the batch in hand is still stored and acknowledged; no next one is fetched.
            if Task.isCancelled {
                if await commit(prepared, totals: &totals, health: &health) { onBatch(totals) }
                return totals
            }
            async let following = fetchBatch(max: max(1, batchSize / eventsPerMessage))
            guard await commit(prepared, totals: &totals, health: &health) else {
                // Shut down while the store was unavailable: neither batch is acknowledged, the
                // bus delivers both again later.
                _ = await following
                return totals
            }
            onBatch(totals)
            fetched = await following
        }
    }

    /// Whether the store and the bus are failing now (so each change is reported once).
    private struct Health {
        var storeDown = false
        var busDown = false
    }

    /// A fetched batch, decoded: the envelopes to store and the messages to acknowledge after.
    private struct Prepared: Sendable {
        var messages: [BusMessage]
        var envelopes: [Envelope]
        /// The messages whose every event is stored or kept as a dead letter.
        var good: [BusMessage]
        var deadLettered: Int
        /// Events per message in this batch: messages may be batches of events.
        var eventsPerMessage: Int
    }

    private enum Fetched: Sendable {
        case batch(Prepared)
        case empty
        case failed(any Error)
        case cancelled
    }

    /// Fetches up to `max` messages and decodes them; poison messages and bad events are kept
    /// as dead letters here.
    private func fetchBatch(max: Int) async -> Fetched {
        let messages: [BusMessage]
        do { messages = try await consumer.fetch(max: max, wait: fetchWait) } catch {
            // A fetch cut short by the shutdown is not the bus's failure.
            if Task.isCancelled || error is CancellationError { return .cancelled }
            return .failed(error)
        }
        guard !messages.isEmpty else { return Task.isCancelled ? .cancelled : .empty }
        var prepared = Prepared(messages: messages, envelopes: [], good: [], deadLettered: 0, eventsPerMessage: 1)
        for message in messages {
            let events: [Result<Envelope, CloudEventBatch.BadEvent>]
            do { events = try CloudEventBatch.decode(message.body) } catch {
                if await keepPoison(message, reason: "\(error)") { prepared.deadLettered += 1 }
                continue
            }
            // A batch's bad events are kept one by one and its good ones stored; a bad event
            // whose dead letter could not be written leaves the message unacknowledged.
            var kept = true
            for event in events {
                switch event {
                case .success(let envelope): prepared.envelopes.append(envelope)
                case .failure(let bad):
                    if await keepBadEvent(bad, of: message) { prepared.deadLettered += 1 } else { kept = false }
                }
            }
            if kept { prepared.good.append(message) }
        }
        prepared.eventsPerMessage = Swift.max(1, (prepared.envelopes.count + messages.count - 1) / messages.count)
        return .batch(prepared)
    }

    /// Stores a batch (held and retried while the store is unavailable), then acknowledges it.
    /// False when the shutdown came while the store was unavailable (nothing acknowledged).
    private func commit(_ prepared: Prepared, totals: inout Totals, health: inout Health) async -> Bool {
        let envelopes = prepared.envelopes
        // Not acknowledged when the store refused the batch and its dead letters could not be written.
        var acknowledge = true
        while !envelopes.isEmpty {
            let started = ContinuousClock.now
            do {
                let result = try await SinkWorker.traced(envelopes) { try await store.write($0) }
                metrics.batch(duration: ContinuousClock.now - started, stored: result.stored, duplicates: result.duplicates)
                totals.stored += result.stored
                totals.revisions += result.revisions
                totals.duplicates += result.duplicates
                for extra in extras {
                    do { _ = try await extra.write(envelopes) } catch {
                        totals.extraFailures += 1
                        logger?.warning("an extra sink failed a committed batch (the records are in the store)", metadata: ["error": "\(error)"])
                    }
                }
                if health.storeDown { health.storeDown = false; onStoreHealth(nil) }
            } catch let error as StoreUnavailable {
                if !health.storeDown { health.storeDown = true; onStoreHealth(error) }
                // At shutdown the batch stays unacknowledged: the bus delivers it again later.
                if Task.isCancelled { return false }
                try? await Task.sleep(for: retryDelay)
                continue
            } catch {
                let (kept, unkept) = await deadLetterRefused(envelopes, refusal: error)
                totals.deadLettered += kept
                metrics.dropped("dead_letter", count: kept)
                if let unkept {
                    // Neither stored nor kept: never acknowledged, so never lost in silence.
                    acknowledge = false
                    totals.unkept += envelopes.count - kept
                    logger?.error(
                        "the store refused a batch and its dead letters could not be written; left unacknowledged for redelivery",
                        metadata: ["records": "\(envelopes.count - kept)", "refusal": "\(error)", "dead_letter_error": "\(unkept)"])
                }
            }
            break
        }
        // A failed acknowledgement means a redelivery later, which the upsert makes harmless.
        if acknowledge {
            do { try await consumer.acknowledge(prepared.good) } catch {
                totals.acknowledgeFailures += 1
                logger?.warning("acknowledgement not taken by the bus; the batch will come again", metadata: ["error": "\(error)"])
            }
        }
        return true
    }

    /// A batch the store refused, kept record by record: how many were kept, and the last
    /// failure to keep one.
    private func deadLetterRefused(_ envelopes: [Envelope], refusal: any Error) async -> (kept: Int, unkept: (any Error)?) {
        var kept = 0
        var unkept: (any Error)?
        for envelope in envelopes {
            do {
                try await store.deadLetter(DeadLetter(refused: envelope, reason: "the store refused the batch: \(refusal)"))
                kept += 1
            } catch {
                unkept = error
            }
        }
        return (kept, unkept)
    }

    /// A message that can never become a record: kept with its stream sequence, then rejected.
    private func keepPoison(_ message: BusMessage, reason: String) async -> Bool {
        guard await keep(message, reason: reason, raw: message.body) else {
            // Not kept: leave it unacknowledged so it comes back, rather than lose it.
            return false
        }
        // Kept already; a reject the bus does not take only means it is kept once more.
        do { try await consumer.reject(message) } catch { logger?.warning("poison message kept but not rejected", metadata: ["error": "\(error)"]) }
        return true
    }

    /// One event of a batch that is not a record: kept with the message's stream sequence and
    /// its place in the batch (the message itself is acknowledged with the batch's good events).
    private func keepBadEvent(_ bad: CloudEventBatch.BadEvent, of message: BusMessage) async -> Bool {
        await keep(message, reason: "event \(bad.index) of the batch: \(bad.reason)", raw: bad.raw)
    }

    private func keep(_ message: BusMessage, reason: String, raw: [UInt8]) async -> Bool {
        let source = message.subject.split(separator: ".").dropFirst(2).first.map(String.init) ?? "bus"
        let letter = DeadLetter(
            source: source, endpoint: "bus", reason: "\(message.subject) stream sequence \(message.streamSequence): \(reason)",
            payload: .row(file: consumer.location, line: Int(clamping: message.streamSequence), raw: raw))
        do { try await store.deadLetter(letter) } catch { return false }
        metrics.dropped("dead_letter", count: 1)
        return true
    }
}
