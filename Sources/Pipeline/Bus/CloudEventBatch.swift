import TributaryCore

/// Several envelopes in one bus message: the CloudEvents JSON batch format (a JSON array of
/// structured events, content type `application/cloudevents-batch+json`).
///
/// One message per record made the stream the bus path's largest cost — nats-server spent
/// about 40 µs of CPU per message, more than publishing or storing a record — so `run` packs
/// the records of one subject (`tributary.KIND.SOURCE`) into messages of up to
/// `bus.events_per_message` events. Each event inside is still a whole CloudEvent with its own
/// id (source and content hash); the message's id, which the stream de-duplicates by, is a hash
/// of those ids, so a batch published again after a lost acknowledgement is dropped by the
/// stream, and a record that arrives again in another message is told apart by the sink's
/// upsert (natural key and content hash), as in-process. With `events_per_message: 1` every
/// message is a single event, as before, and the stream de-duplicates record by record.
public enum CloudEventBatch {
    public static let contentType = "application/cloudevents-batch+json"

    /// One message to publish.
    public struct Message: Sendable, Hashable {
        public var subject: String
        /// What the stream de-duplicates by: the event's id, or `batch:` and a hash of the ids.
        public var id: String
        public var body: [UInt8]
        /// How many records it carries.
        public var events: Int
    }

    /// The batch's envelopes as messages: grouped by subject (each subject's records in their
    /// order), at most `maxEvents` events and about `maxBytes` bytes each (an event larger than
    /// that alone is one message). The same envelopes always make the same messages and ids.
    public static func messages(_ batch: [Envelope], maxEvents: Int, maxBytes: Int) -> [Message] {
        var order: [String] = []
        var bySubject: [String: [Int]] = [:]
        for (index, envelope) in batch.enumerated() {
            let subject = CloudEvent.subject(of: envelope)
            if bySubject[subject] == nil { order.append(subject) }
            bySubject[subject, default: []].append(index)
        }
        var messages: [Message] = []
        let limit = max(1, maxEvents)
        for subject in order {
            var body: [UInt8] = []
            var ids: [String] = []
            func flush() {
                guard !ids.isEmpty else { return }
                if ids.count == 1 {
                    // A lone event is sent as itself: what a single-event consumer expects.
                    body.removeFirst()
                    messages.append(Message(subject: subject, id: ids[0], body: body, events: 1))
                } else {
                    body.append(UInt8(ascii: "]"))
                    messages.append(Message(subject: subject, id: batchID(ids), body: body, events: ids.count))
                }
                body = []
                ids = []
            }
            for index in bySubject[subject] ?? [] {
                let event = CloudEvent.encode(batch[index])
                if !ids.isEmpty, ids.count == limit || body.count + event.count + 2 > maxBytes { flush() }
                body.append(ids.isEmpty ? UInt8(ascii: "[") : UInt8(ascii: ","))
                body.append(contentsOf: event)
                ids.append(CloudEvent.id(of: batch[index]))
            }
            flush()
        }
        return messages
    }

    /// The id of a message of several events: a hash over their ids, in order.
    static func batchID(_ ids: [String]) -> String {
        "batch:" + ContentHash.of(bytes: Array(ids.joined(separator: "\n").utf8))
    }

    /// One event of a batch that is not a record: kept as a dead letter on its own, while the
    /// batch's other events are stored.
    public struct BadEvent: Error, Sendable {
        /// Its place in the batch (0-based).
        public var index: Int
        public var reason: String
        /// The event's JSON, for the dead letter.
        public var raw: [UInt8]
    }

    /// A message's events: a single event (a JSON object) or a batch (an array). Throws when the
    /// message as a whole is not one — not JSON, not an object or a non-empty array, or a single
    /// event that is not a record: a poison message.
    public static func decode(_ body: [UInt8]) throws(CloudEvent.DecodeError) -> [Result<Envelope, BadEvent>] {
        let value: JSONValue
        do { value = try JSONParser.parse(body) } catch { throw CloudEvent.DecodeError(description: "not JSON: \(error)") }
        guard case .array(let items) = value else { return [.success(try CloudEvent.decode(value))] }
        guard !items.isEmpty else { throw CloudEvent.DecodeError(description: "an empty batch of events") }
        return items.enumerated().map { index, item in
            do throws(CloudEvent.DecodeError) {
                return .success(try CloudEvent.decode(item))
            } catch {
                return .failure(BadEvent(index: index, reason: error.description, raw: JSONWriter.encode(item)))
            }
        }
    }
}
