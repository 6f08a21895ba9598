import Pipeline
import Testing
import TributaryCore
import TributaryTesting

/// How `run` packs records into bus messages: by subject, bounded in events and bytes, with
/// ids that make a republished batch a duplicate to the stream, and every event decodable.
@Suite struct CloudEventBatchTests {
    /// Two sources' records of every kind, interleaved as a buffer's batch holds them.
    static let batch: [Envelope] =
        zip(SampleRecords.rest(source: "a"), SampleRecords.rest(source: "b")).flatMap { [$0, $1] }
        + SampleRecords.rest(source: "a", offsetSeconds: 60)

    @Test func messagesHoldOneSubjectEachAndEveryRecordOnceInOrder() throws {
        let messages = CloudEventBatch.messages(Self.batch, maxEvents: 100, maxBytes: 1 << 20)
        var decoded: [Envelope] = []
        for message in messages {
            let events = try CloudEventBatch.decode(message.body).map { try $0.get() }
            #expect(events.count == message.events)
            #expect(Set(events.map(CloudEvent.subject(of:))) == [message.subject])
            decoded += events
        }
        // (Compared as JSON Lines: the wire's times carry milliseconds, the samples nanoseconds.)
        let lines = decoded.map(\.jsonLine)
        #expect(lines.count == Self.batch.count)
        #expect(Set(lines) == Set(Self.batch.map(\.jsonLine)))
        // Each subject's records keep the batch's order.
        for subject in Set(Self.batch.map(CloudEvent.subject(of:))) {
            let inMessages = decoded.filter { CloudEvent.subject(of: $0) == subject }.map(\.jsonLine)
            #expect(inMessages == Self.batch.filter { CloudEvent.subject(of: $0) == subject }.map(\.jsonLine))
        }
        #expect(Set(messages.map(\.subject)).count == messages.count, "one message per subject when all fit")
    }

    @Test func theSameBatchMakesTheSameIdsAndADifferentOneOthers() {
        let first = CloudEventBatch.messages(Self.batch, maxEvents: 100, maxBytes: 1 << 20)
        let again = CloudEventBatch.messages(Self.batch, maxEvents: 100, maxBytes: 1 << 20)
        #expect(first.map(\.id) == again.map(\.id) && first.map(\.body) == again.map(\.body))
        let shifted = CloudEventBatch.messages(SampleRecords.rest(source: "a", offsetSeconds: 120), maxEvents: 100, maxBytes: 1 << 20)
        #expect(Set(first.map(\.id)).isDisjoint(with: shifted.map(\.id)))
        #expect(first.filter { $0.events > 1 }.allSatisfy { $0.id.hasPrefix("batch:sha256:") })
    }

    /// A lone event is sent as itself (a plain CloudEvent, id = source and content hash), so
    /// `events_per_message: 1` is the one-message-per-record wire format.
    @Test func oneEventPerMessageIsThePlainEvent() throws {
        let messages = CloudEventBatch.messages(Self.batch, maxEvents: 1, maxBytes: 1 << 20)
        #expect(messages.count == Self.batch.count && messages.allSatisfy { $0.events == 1 })
        // Grouped by subject, so in another order than the batch's.
        let expected = Set(Self.batch.map { "\(CloudEvent.id(of: $0)) \(String(decoding: CloudEvent.encode($0), as: UTF8.self))" })
        #expect(Set(messages.map { "\($0.id) \(String(decoding: $0.body, as: UTF8.self))" }) == expected)
    }

    @Test func messagesStayWithinTheirEventAndByteBounds() throws {
        let many = (0..<50).flatMap { SampleRecords.rest(source: "a", offsetSeconds: Int64($0) * 60) }.filter { $0.record.kind == .trade }
        let byCount = CloudEventBatch.messages(many, maxEvents: 7, maxBytes: 1 << 20)
        #expect(byCount.map(\.events) == [7, 7, 7, 7, 7, 7, 7, 1])
        let eventBytes = CloudEvent.encode(many[0]).count
        let byBytes = CloudEventBatch.messages(many, maxEvents: 100, maxBytes: eventBytes * 3 + 10)
        #expect(byBytes.allSatisfy { $0.body.count <= eventBytes * 3 + 10 })
        #expect(byBytes.reduce(0) { $0 + $1.events } == 50 && byBytes.count > 10)
        // Smaller than one event: each event alone.
        #expect(CloudEventBatch.messages(many, maxEvents: 100, maxBytes: 10).count == 50)
    }

    @Test func aMessageThatIsNoEventOrBatchIsRefusedWhole() {
        for body in ["not json", "[]", "42", #"{"specversion":"0.3"}"#] {
            #expect(throws: CloudEvent.DecodeError.self) { try CloudEventBatch.decode(Array(body.utf8)) }
        }
    }
}
