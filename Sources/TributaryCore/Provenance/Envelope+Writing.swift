/// Writes an envelope's JSON Lines object straight to bytes: what JSON Lines exports, `fetch`
/// and the bus (as CloudEvents `data`) carry, once per record.
///
/// Equal, byte for byte, to `JSONWriter.encode(.object(envelope.jsonObject))` (a test holds the
/// two together for every kind), without building that tree of `String`s and enum boxes first.
extension Envelope {
    /// The JSON Lines object: the record's fields in the documented order, then `provenance`.
    public var jsonBytes: [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(768)
        writeJSON(into: &bytes)
        return bytes
    }

    /// Appends the JSON Lines object to `bytes`; with `includingIdentity`, an envelope whose
    /// identity rules chose also carries it as a last `identity` member (the bus keeps it).
    public func writeJSON(into bytes: inout [UInt8], includingIdentity: Bool = false) {
        bytes.append(UInt8(ascii: "{"))
        RecordJSONWriter.appendDocumentMembers(of: record, to: &bytes)
        bytes.append(contentsOf: #","provenance":{"#.utf8)
        var writer = ProvenanceByteWriter()
        swap(&writer.bytes, &bytes)
        provenance.writeMembers(to: &writer)
        swap(&writer.bytes, &bytes)
        bytes.append(UInt8(ascii: "}"))
        if includingIdentity, let identity {
            bytes.append(contentsOf: #","identity":"#.utf8)
            bytes.writeJSONString(identity)
        }
        bytes.append(UInt8(ascii: "}"))
    }
}

/// Provenance's members as JSON bytes, comma-separated, appended to `bytes`.
private struct ProvenanceByteWriter: ProvenanceMemberWriter {
    var bytes: [UInt8] = []
    private var count = 0

    private mutating func key(_ key: StaticString) {
        if count > 0 { bytes.append(UInt8(ascii: ",")) }
        count += 1
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: UnsafeBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount))
        bytes.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
    }

    mutating func member(_ key: StaticString, _ value: String) {
        self.key(key)
        bytes.writeJSONString(value)
    }

    mutating func member(_ key: StaticString, _ value: UTCTimestamp) {
        self.key(key)
        bytes.writeTime(value)
    }

    mutating func member(_ key: StaticString, _ values: [String]) {
        self.key(key)
        bytes.append(UInt8(ascii: "["))
        for (i, value) in values.enumerated() {
            if i > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes.writeJSONString(value)
        }
        bytes.append(UInt8(ascii: "]"))
    }
}
