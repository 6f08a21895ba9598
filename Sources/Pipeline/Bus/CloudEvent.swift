import TributaryCore

/// An envelope as a CloudEvents 1.0 message (structured mode, JSON), the bus's wire format.
///
/// `id` is the record's content hash, so the stream's de-duplication (JetStream's message id)
/// and any CloudEvents consumer see a re-polled identical record as the same event; `source`
/// is `tributary/SOURCE`, `type` `tributary.KIND`, `time` the record's as-of time, `subject` its
/// symbol. `data` is the envelope exactly as JSON Lines exports and dead letters hold it (the
/// record's fields and its `provenance`), plus `identity` when import rules chose the natural key.
public enum CloudEvent {
    /// The bus subject of an envelope: `tributary.KIND.SOURCE` (a consumer can filter by either).
    public static func subject(of envelope: Envelope) -> String {
        "tributary.\(envelope.record.kind.rawValue).\(envelope.record.source.rawValue)"
    }

    /// The message id the stream de-duplicates by: the content hash, and the source, since two
    /// sources may deliver the very same content.
    public static func id(of envelope: Envelope) -> String {
        "\(envelope.record.source.rawValue):\(envelope.provenance.contentHash)"
    }

    /// The event's JSON, written straight to bytes (encoding was a fifth of a publisher's CPU
    /// as a tree); equal, byte for byte, to the same event built as a `JSONValue` tree and
    /// encoded (a test holds the two together for every kind).
    public static func encode(_ envelope: Envelope) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(1024)
        bytes.append(contentsOf: #"{"specversion":"1.0","id":"#.utf8)
        var header = JSONWriter(reservingCapacity: 0)
        swap(&header.bytes, &bytes)
        header.writeString(id(of: envelope))
        header.bytes.append(contentsOf: #","source":"#.utf8)
        header.writeString("tributary/\(envelope.record.source.rawValue)")
        header.bytes.append(contentsOf: #","type":"#.utf8)
        header.writeString("tributary.\(envelope.record.kind.rawValue)")
        header.bytes.append(contentsOf: #","subject":"#.utf8)
        header.writeString(envelope.record.symbol)
        if let time = envelope.record.asOf {
            header.bytes.append(contentsOf: #","time":""#.utf8)
            time.writeRFC3339(into: &header.bytes)
            header.bytes.append(UInt8(ascii: "\""))
        }
        swap(&header.bytes, &bytes)
        bytes.append(contentsOf: #","datacontenttype":"application/json","data":"#.utf8)
        envelope.writeJSON(into: &bytes, includingIdentity: true)
        bytes.append(UInt8(ascii: "}"))
        return bytes
    }

    /// Why a message is not an envelope (a poison message: dead-lettered, never retried).
    public struct DecodeError: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    public static func decode(_ body: [UInt8]) throws(DecodeError) -> Envelope {
        let value: JSONValue
        do { value = try JSONParser.parse(body) } catch { throw DecodeError(description: "not JSON: \(error)") }
        return try decode(value)
    }

    /// One event already parsed (a message's single event, or one of a batch's).
    public static func decode(_ value: JSONValue) throws(DecodeError) -> Envelope {
        guard case .object(let event) = value else { throw DecodeError(description: "not a JSON object") }
        guard event["specversion"]?.stringValue == "1.0" else { throw DecodeError(description: "not a CloudEvents 1.0 event (specversion)") }
        guard case .object(var data)? = event["data"] else { throw DecodeError(description: "no `data` object") }
        let identity = data["identity"]?.stringValue
        data.members.removeAll { $0.key == "identity" }
        var envelope: Envelope
        do { envelope = try Envelope(jsonObject: data) } catch { throw DecodeError(description: "data: \(error)") }
        envelope.identity = identity
        guard event["id"]?.stringValue == id(of: envelope) else {
            throw DecodeError(description: "the event id does not match its data's source and content hash")
        }
        return envelope
    }
}
