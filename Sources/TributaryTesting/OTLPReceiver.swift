import Foundation
import Synchronization

/// A local OTLP/HTTP trace receiver (the collector's `/v1/traces`, JSON encoding) for tests:
/// it answers every export with success and keeps the spans, so a test can check what a real
/// `tributary run` exported — names, parents, attributes, events.
public final class OTLPReceiver: Sendable {
    /// One received span, its ids as the exporter encoded them (compared with each other only).
    public struct Span: Sendable {
        public var name: String
        public var traceID: String
        public var spanID: String
        public var parentSpanID: String
        public var kind: String
        /// Attribute values as text, whatever their OTLP type.
        public var attributes: [String: String]
        public var events: [String]
        /// The `service.name` of the resource that sent it.
        public var serviceName: String
    }

    /// What the server thread collects (a class, so the handler can hold it before `self` exists).
    private final class Collected: Sendable {
        let spans = Mutex<[Span]>([])
        let problems = Mutex<[String]>([])
    }

    private let server: LoopbackServer
    private let collected = Collected()

    public init() throws {
        let collected = collected
        server = try LoopbackServer { request in
            guard request.method == "POST", request.path == "/v1/traces" else {
                return LoopbackResponse(status: 404, body: Array("{}".utf8))
            }
            do {
                let parsed = try Self.spans(in: request.body)
                collected.spans.withLock { $0 += parsed }
            } catch {
                collected.problems.withLock { $0.append("\(error): \(String(decoding: request.body.prefix(200), as: UTF8.self))") }
                return LoopbackResponse(status: 400, body: Array("{}".utf8))
            }
            return LoopbackResponse(body: Array("{}".utf8))
        }
    }

    /// What `OTEL_EXPORTER_OTLP_ENDPOINT` should be.
    public var endpoint: String { server.baseURL }

    public var spans: [Span] { collected.spans.withLock { $0 } }

    /// Bodies that were not OTLP JSON (a test expects none).
    public var rejected: [String] { collected.problems.withLock { $0 } }

    public func stop() { server.stop() }

    struct NotOTLP: Error, CustomStringConvertible {
        var description: String
    }

    /// The spans of one `ExportTraceServiceRequest` in its JSON encoding.
    static func spans(in body: [UInt8]) throws -> [Span] {
        guard let root = try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else { throw NotOTLP(description: "not a JSON object") }
        guard let resourceSpans = root["resourceSpans"] as? [[String: Any]] else { throw NotOTLP(description: "no resourceSpans") }
        var out: [Span] = []
        for resourceSpan in resourceSpans {
            let resource = attributes((resourceSpan["resource"] as? [String: Any])?["attributes"])
            for scope in resourceSpan["scopeSpans"] as? [[String: Any]] ?? [] {
                for span in scope["spans"] as? [[String: Any]] ?? [] {
                    out.append(
                        Span(
                            name: span["name"] as? String ?? "", traceID: span["traceId"] as? String ?? "", spanID: span["spanId"] as? String ?? "",
                            parentSpanID: span["parentSpanId"] as? String ?? "", kind: kindName(span["kind"]),
                            attributes: attributes(span["attributes"]),
                            events: (span["events"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String },
                            serviceName: resource["service.name"] ?? ""))
                }
            }
        }
        return out
    }

    /// The span kind's name, sent as the enum's name or (swift-otel) its number.
    static func kindName(_ value: Any?) -> String {
        if let name = value as? String { return name }
        let names = ["SPAN_KIND_UNSPECIFIED", "SPAN_KIND_INTERNAL", "SPAN_KIND_SERVER", "SPAN_KIND_CLIENT", "SPAN_KIND_PRODUCER", "SPAN_KIND_CONSUMER"]
        guard let number = value as? Int, names.indices.contains(number) else { return "" }
        return names[number]
    }

    /// OTLP `KeyValue`s as text: `{"key": k, "value": {"stringValue"|"intValue"|…: v}}`.
    static func attributes(_ value: Any?) -> [String: String] {
        var out: [String: String] = [:]
        for pair in value as? [[String: Any]] ?? [] {
            guard let key = pair["key"] as? String, let typed = (pair["value"] as? [String: Any])?.first else { continue }
            out[key] = "\(typed.value)"
        }
        return out
    }
}
