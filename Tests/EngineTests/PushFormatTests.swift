import Engine
import Testing

/// Which body format a `Content-Type` selects, and which it refuses (415).
@Suite struct PushFormatTests {
    func format(_ type: String?) -> String? {
        switch PushFormat(contentType: type) {
        case .json?: "json"
        case .ndjson?: "ndjson"
        case .protobuf(let batch)?: batch ? "protobuf-batch" : "protobuf"
        case nil: nil
        }
    }

    @Test func typesParametersAndCharsets() {
        let cases: [(String?, String?)] = [
            ("application/json", "json"), ("Application/JSON", "json"), ("application/json; charset=utf-8", "json"),
            ("application/json;charset=UTF-8", "json"), ("application/json; charset=\"utf-8\"", "json"), ("application/json; charset=utf8", "json"),
            ("\tapplication/json \t; charset=utf-8 ", "json"), ("application/json;", "json"), ("application/json; boundary=x", "json"),
            ("application/x-ndjson", "ndjson"), ("application/jsonl", "ndjson"), ("application/jsonlines", "ndjson"),
            ("application/x-jsonlines; charset=utf-8", "ndjson"),
            ("application/x-protobuf", "protobuf"), ("application/protobuf", "protobuf"),
            ("application/x-protobuf; messageType=tributary.v1.EventBatch", "protobuf-batch"),
            ("application/x-protobuf; messagetype=\"tributary.v1.eventbatch\"", "protobuf-batch"),
            // Refused: other charsets, other types, nothing, a leading empty part.
            ("application/json; charset=utf-16", nil), ("application/json; charset=latin1", nil), ("application/x-ndjson; charset=utf-16le", nil),
            ("text/csv", nil), ("application/jsonx", nil), ("", nil), (nil, nil), (" ; application/json", nil), ("application/ json", nil),
            ("application/json\u{0}", nil), ("applicätion/json", nil),
        ]
        for (type, expected) in cases { #expect(format(type) == expected, "\(String(describing: type))") }
    }
}
