import Engine
import Pipeline
import Synchronization
import Testing
import TributaryCore
import TributaryTesting

/// `tributary sink`'s loop on a scripted bus: every message ends stored, duplicate or dead
/// letter; nothing is acknowledged before the store committed it; a poison message never blocks.
@Suite struct BusSinkWorkerTests {
    /// Runs the worker until `done` holds (bounded: a hang guard, not a speed check — generous,
    /// since the whole suite shares two cores with blocking end-to-end tests), then stops it.
    func drain(_ worker: BusSinkWorker, until done: @escaping @Sendable () -> Bool) async throws -> BusSinkWorker.Totals {
        let task = Task { await worker.run() }
        let deadline = ContinuousClock.now + .seconds(180)
        while !done(), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        task.cancel()
        return await task.value
    }

    @Test func recordsAreStoredThenAcknowledgedAndARedeliveryIsADuplicate() async throws {
        let bus = ScriptedBusConsumer()
        let store = InMemoryStore()
        let envelopes = SampleRecords.rest()
        for envelope in envelopes { bus.enqueue(CloudEvent.encode(envelope)) }
        // The first one again, as after a sink died before acknowledging it.
        bus.enqueue(CloudEvent.encode(envelopes[0]), deliveries: 2)
        var worker = BusSinkWorker(consumer: bus, store: store, batchSize: 3)
        worker.fetchWait = .milliseconds(10)
        let count = envelopes.count + 1
        let totals = try await drain(worker) { bus.acknowledgedSequences.count == count }
        #expect(bus.acknowledgedSequences == Array(1...UInt64(count)))
        #expect(totals.stored == envelopes.count && totals.duplicates == 1 && totals.redelivered == 1)
        #expect(store.recordCount() == envelopes.count)
        for envelope in envelopes {
            let stored = try #require(
                store.storedRecord(
                    source: envelope.record.source, kind: envelope.record.kind, symbol: envelope.record.symbol, naturalKey: envelope.record.naturalKey))
            #expect(stored.envelope.provenance.jsonObject == envelope.provenance.jsonObject)
        }
    }

    /// News arriving through the bus is kept as documents after the store commits it, as `run`
    /// keeps it without a bus.
    @Test func newsBecomesDocumentsAfterTheCommit() async throws {
        let bus = ScriptedBusConsumer()
        let store = InMemoryStore()
        let envelopes = SampleRecords.rest()
        for envelope in envelopes { bus.enqueue(CloudEvent.encode(envelope)) }
        var worker = BusSinkWorker(consumer: bus, store: store, batchSize: 4)
        worker.fetchWait = .milliseconds(10)
        worker.extras = [NewsDocumentSink(store: store)]
        let totals = try await drain(worker) { bus.acknowledgedSequences.count == envelopes.count }
        #expect(totals.extraFailures == 0)
        let news = envelopes.filter { $0.record.kind == .news }.count
        #expect(news > 0)
        #expect(store.documents(source: nil, after: nil, limit: 100).count == news)
    }

    @Test func aPoisonMessageIsDeadLetteredWithItsSequenceRejectedAndTheRestFlows() async throws {
        let bus = ScriptedBusConsumer()
        let store = InMemoryStore()
        let good = SampleRecords.rest()[0]
        bus.enqueue(Array(#"{"specversion":"1.0","id":"x","data":{"kind":"trade"}}"#.utf8), subject: "tributary.trade.tape")
        bus.enqueue(Array("not json".utf8), subject: "tributary.quote.acme")
        bus.enqueue(CloudEvent.encode(good))
        var worker = BusSinkWorker(consumer: bus, store: store)
        worker.fetchWait = .milliseconds(10)
        let totals = try await drain(worker) { bus.rejectedSequences.count + bus.acknowledgedSequences.count == 3 }
        #expect(bus.rejectedSequences == [1, 2])
        #expect(bus.acknowledgedSequences == [3])
        #expect(totals.deadLettered == 2 && totals.stored == 1)
        let letters = store.deadLetters(limit: 10, source: nil, pending: false)
        #expect(Set(letters.map(\.source)) == ["tape", "acme"])
        #expect(letters.allSatisfy { $0.reason.contains("stream sequence") && $0.endpoint == "bus" })
        guard case .row(_, let line, let raw)? = letters.first(where: { $0.source == "acme" })?.payload else { Issue.record("not kept as a row"); return }
        #expect(line == 2 && raw == Array("not json".utf8))
    }

    /// A batch message (as `run` publishes) is stored event by event; one bad event in it is a
    /// dead letter of its own with the message's sequence and its place, and the message is
    /// acknowledged with the batch's good events, never rejected whole.
    @Test func aBatchsGoodEventsAreStoredAndItsBadEventIsDeadLetteredAlone() async throws {
        let bus = ScriptedBusConsumer()
        let store = InMemoryStore()
        let envelopes =
            SampleRecords.rest(source: "tape").filter { $0.record.kind == .trade }
            + SampleRecords.rest(source: "tape", symbol: "ETH-USDT").filter { $0.record.kind == .trade }
        let messages = CloudEventBatch.messages(envelopes, maxEvents: 100, maxBytes: 1 << 20)
        #expect(messages.count == 1 && messages[0].events == 2)
        var body = messages[0].body
        body.removeLast()
        body.append(contentsOf: #",{"specversion":"1.0","id":"x","data":{"kind":"trade"}}]"#.utf8)
        bus.enqueue(body, subject: messages[0].subject)
        var worker = BusSinkWorker(consumer: bus, store: store)
        worker.fetchWait = .milliseconds(10)
        let totals = try await drain(worker) { bus.rejectedSequences.count + bus.acknowledgedSequences.count == 1 }
        #expect(bus.acknowledgedSequences == [1] && bus.rejectedSequences.isEmpty)
        #expect(totals.stored == 2 && totals.deadLettered == 1 && totals.messages == 1)
        #expect(store.recordCount() == 2)
        let letters = store.deadLetters(limit: 10, source: nil, pending: false)
        #expect(letters.count == 1 && letters[0].reason.contains("stream sequence 1") && letters[0].reason.contains("event 2 of the batch"))
        guard case .row(_, _, let raw)? = letters.first?.payload else { Issue.record("not kept as a row"); return }
        #expect(String(decoding: raw, as: UTF8.self) == #"{"specversion":"1.0","id":"x","data":{"kind":"trade"}}"#)
    }

    /// With batch messages a fetch asks for about `batchSize` records, not messages: after a
    /// batch of 5-event messages, a batch size of 10 fetches 2 messages at a time.
    @Test func aFetchAsksForAboutBatchSizeRecords() async throws {
        let bus = ScriptedBusConsumer()
        let store = InMemoryStore()
        let envelopes = (0..<100).flatMap { SampleRecords.rest(symbol: "S\($0)").filter { $0.record.kind == .trade } }
        let messages = CloudEventBatch.messages(envelopes, maxEvents: 5, maxBytes: 1 << 20)
        #expect(messages.count == 20)
        for message in messages { bus.enqueue(message.body, subject: message.subject) }
        var worker = BusSinkWorker(consumer: bus, store: store, batchSize: 10)
        worker.fetchWait = .milliseconds(10)
        let totals = try await drain(worker) { bus.acknowledgedSequences.count == 20 }
        #expect(totals.stored == 100 && store.recordCount() == 100)
        #expect(bus.fetchLimits.first == 10 && bus.fetchLimits.dropFirst().allSatisfy { $0 == 2 } && bus.fetchLimits.count == 6, "\(bus.fetchLimits)")
    }

    /// Six records in batches of two, the first write held by a closed ``GatedStore``: returns
    /// once that write started and the next fetch was asked for (bounded, as `drain`).
    func startWithTheFirstWriteHeld() async throws -> (
        bus: ScriptedBusConsumer, store: GatedStore, envelopes: [Envelope], task: Task<BusSinkWorker.Totals, Never>, deadline: ContinuousClock.Instant
    ) {
        let bus = ScriptedBusConsumer()
        let store = GatedStore()
        let envelopes = Array(SampleRecords.rest().prefix(6))
        for envelope in envelopes { bus.enqueue(CloudEvent.encode(envelope)) }
        var worker = BusSinkWorker(consumer: bus, store: store, batchSize: 2)
        worker.fetchWait = .milliseconds(10)
        let task = Task { await worker.run() }
        let deadline = ContinuousClock.now + .seconds(180)
        while store.writesStarted < 1 || bus.fetchLimits.count < 2, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        return (bus, store, envelopes, task, deadline)
    }

    /// The next batch is fetched and decoded while the current one commits; acknowledgements
    /// still follow the commits, in order.
    @Test func theNextBatchIsFetchedWhileOneCommits() async throws {
        let (bus, store, envelopes, task, deadline) = try await startWithTheFirstWriteHeld()
        // The first write is held: the second batch is fetched, nothing is acknowledged.
        #expect(bus.fetchLimits.count == 2 && store.writesStarted == 1)
        #expect(bus.acknowledgedSequences.isEmpty)
        store.open()
        while bus.acknowledgedSequences.count < envelopes.count, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        task.cancel()
        let totals = await task.value
        #expect(bus.acknowledgedSequences == Array(1...UInt64(envelopes.count)))
        #expect(totals.stored == envelopes.count && totals.batches == 3)
    }

    /// At shutdown the batch already fetched is stored and acknowledged, and no other is fetched.
    @Test func aShutdownStoresTheBatchAlreadyFetched() async throws {
        let (bus, store, _, task, _) = try await startWithTheFirstWriteHeld()
        task.cancel()
        store.open()
        let totals = await task.value
        #expect(bus.acknowledgedSequences == [1, 2, 3, 4])
        #expect(bus.fetchLimits.count == 2 && bus.queuedCount == 2)
        #expect(totals.stored == 4 && store.inner.recordCount() == 4)
    }

    @Test func nothingIsAcknowledgedWhileTheStoreIsUnavailable() async throws {
        let bus = ScriptedBusConsumer()
        let store = InMemoryStore()
        store.setUnavailable("disk full")
        for envelope in SampleRecords.rest() { bus.enqueue(CloudEvent.encode(envelope)) }
        var worker = BusSinkWorker(consumer: bus, store: store)
        worker.fetchWait = .milliseconds(10)
        worker.retryDelay = .milliseconds(10)
        let health = HealthLog()
        worker.onStoreHealth = { health.record($0?.reason) }
        let task = Task { await worker.run() }
        // Held while unavailable: nothing acknowledged, however long it lasts.
        let deadline = ContinuousClock.now + .seconds(180)
        while health.entries.isEmpty, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        #expect(health.entries == ["disk full"])
        #expect(bus.acknowledgedSequences.isEmpty)
        store.setUnavailable(nil)
        let count = SampleRecords.rest().count
        while bus.acknowledgedSequences.count < count, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        task.cancel()
        _ = await task.value
        #expect(bus.acknowledgedSequences.count == count)
        #expect(store.recordCount() == count)
        #expect(health.entries == ["disk full", nil])
    }

    /// A batch the store refuses (not an outage) goes to the dead letters and is acknowledged;
    /// while the dead letters cannot be written either, it is left unacknowledged and counted,
    /// so it comes again after the bus's ack wait rather than vanish.
    @Test func aRefusedBatchWhoseDeadLettersFailIsNeverAcknowledged() async throws {
        let bus = ScriptedBusConsumer()
        let store = RefusingStore()
        for envelope in SampleRecords.rest().prefix(3) { bus.enqueue(CloudEvent.encode(envelope)) }
        var worker = BusSinkWorker(consumer: bus, store: store)
        worker.fetchWait = .milliseconds(10)
        let task = Task { await worker.run() }
        let deadline = ContinuousClock.now + .seconds(180)
        while store.letterAttempts < 3, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        #expect(bus.acknowledgedSequences.isEmpty)
        store.acceptLetters()
        // The bus's ack wait runs out: the unsettled messages come again.
        bus.redeliverUnacknowledged()
        while bus.acknowledgedSequences.count < 3, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        task.cancel()
        let totals = await task.value
        #expect(bus.acknowledgedSequences == [1, 2, 3])
        #expect(totals.unkept >= 3 && totals.deadLettered == 3)
        #expect(store.kept.count == 3)
    }

    @Test func aBusThatFailsIsReportedAndRetried() async throws {
        let bus = ScriptedBusConsumer()
        let store = InMemoryStore()
        bus.failNextFetches(2)
        bus.enqueue(CloudEvent.encode(SampleRecords.rest()[0]))
        var worker = BusSinkWorker(consumer: bus, store: store)
        worker.fetchWait = .milliseconds(10)
        worker.retryDelay = .milliseconds(10)
        let health = HealthLog()
        worker.onBusHealth = { health.record($0.map { "\($0)" }) }
        _ = try await drain(worker) { bus.acknowledgedSequences.count == 1 }
        #expect(store.recordCount() == 1)
        #expect(health.entries.count == 2 && health.entries.first??.isEmpty == false && health.entries.last == .some(nil), "\(health.entries)")
    }
}

/// A store whose writes wait until the test opens it (a slow commit), counting those started.
final class GatedStore: RecordSink, DeadLetterStore {
    let inner = InMemoryStore()
    private let gate = Mutex<(open: Bool, started: Int, waiting: [CheckedContinuation<Void, Never>])>((false, 0, []))
    var writesStarted: Int { gate.withLock { $0.started } }

    func open() {
        let waiting = gate.withLock { gate in
            gate.open = true
            defer { gate.waiting = [] }
            return gate.waiting
        }
        for waiter in waiting { waiter.resume() }
    }

    func write(_ batch: [Envelope]) async throws -> SinkWriteResult {
        await withCheckedContinuation { continuation in
            let proceed = gate.withLock { gate in
                gate.started += 1
                if !gate.open { gate.waiting.append(continuation) }
                return gate.open
            }
            if proceed { continuation.resume() }
        }
        return try await inner.write(batch)
    }
    func deadLetter(_ letter: DeadLetter) async throws -> Int64 { try inner.deadLetter(letter) }
    func deadLetters(limit: Int, source: String?, pending: Bool) async throws -> [DeadLetter] { [] }
    func deadLetter(id: Int64) async throws -> DeadLetter? { nil }
    func markReplayed(id: Int64, at time: UTCTimestamp) async throws {}
    func resolveDeadLetters(_ resolutions: [DeadLetterResolution], at time: UTCTimestamp) async throws -> Int { 0 }
    func deleteDeadLetters(ids: [Int64]) async throws -> Int { 0 }
    func deleteSettledDeadLetters(source: String?) async throws -> Int { 0 }
    func pendingRowDeadLetters(source: String, file: String) async throws -> [Int: [Int64]] { [:] }
    func deadLetterCount(pending: Bool) async throws -> Int { 0 }
}

/// What a health callback was told, in order.
final class HealthLog: Sendable {
    private let values = Mutex<[String?]>([])
    func record(_ value: String?) { values.withLock { $0.append(value) } }
    var entries: [String?] { values.withLock { $0 } }
}

/// A store that refuses every batch (a constraint, say) and, until told otherwise, every dead letter.
final class RefusingStore: RecordSink, DeadLetterStore {
    struct Refused: Error {}
    private let state = Mutex<(accept: Bool, attempts: Int, kept: [DeadLetter])>((false, 0, []))
    var letterAttempts: Int { state.withLock { $0.attempts } }
    var kept: [DeadLetter] { state.withLock { $0.kept } }
    func acceptLetters() { state.withLock { $0.accept = true } }

    func write(_ batch: [Envelope]) async throws -> SinkWriteResult { throw Refused() }
    func deadLetter(_ letter: DeadLetter) async throws -> Int64 {
        try state.withLock { state in
            state.attempts += 1
            guard state.accept else { throw Refused() }
            state.kept.append(letter)
            return Int64(state.kept.count)
        }
    }
    func deadLetters(limit: Int, source: String?, pending: Bool) async throws -> [DeadLetter] { kept }
    func deadLetter(id: Int64) async throws -> DeadLetter? { nil }
    func markReplayed(id: Int64, at time: UTCTimestamp) async throws {}
    func resolveDeadLetters(_ resolutions: [DeadLetterResolution], at time: UTCTimestamp) async throws -> Int { 0 }
    func deleteDeadLetters(ids: [Int64]) async throws -> Int { 0 }
    func deleteSettledDeadLetters(source: String?) async throws -> Int { 0 }
    func pendingRowDeadLetters(source: String, file: String) async throws -> [Int: [Int64]] { [:] }
    func deadLetterCount(pending: Bool) async throws -> Int { kept.count }
}
