import Connectors
import Engine
import Foundation
import MetricsTestKit
import Testing
import TributaryCore

/// What a push counts, and under which labels: a path nobody configured never becomes a label.
@Suite struct PushMetricsTests {
    let trade = #"{"kind":"trade","symbol":"BTC-USD","trade_id":"1","time":"2024-01-02T03:04:05Z","price":"1.5","size":"2"}"#

    @Test func answersAreCountedBySourceAndOutcomeAndUnknownPathsShareOneLabel() async throws {
        var definition = SourceDefinition(id: "acme", file: "acme.yaml")
        definition.push = SourceDefinition.Push()
        let metrics = TestMetrics()
        let buffer = NormalizationBuffer<Envelope>(capacity: 100)
        let gateway = PushGateway(definitions: ["acme": definition], environment: [:], buffer: buffer, idempotency: nil, factory: metrics)
        func post(_ source: String, _ body: String) async -> Int {
            await gateway.handle(PushGateway.Request(source: source, contentType: "application/json", body: Array(body.utf8), header: { _ in nil })).status
        }
        #expect(await post("acme", trade) == 202)
        #expect(await post("acme", "[\(trade),\(trade.replacingOccurrences(of: #""1""#, with: #""2""#))]") == 202)
        #expect(await post("acme", "{") == 400)
        for i in 0..<20 { #expect(await post("nobody-\(i)", trade) == 404) }

        func total(_ label: String, _ dimensions: [(String, String)]) throws -> Int64 { try metrics.expectCounter(label, dimensions).totalValue }
        #expect(try total("ingestion_requests_total", [("source", "acme"), ("outcome", "accepted")]) == 2)
        #expect(try total("ingestion_records_total", [("source", "acme"), ("kind", "trade")]) == 3)
        let failed = metrics.counters.filter { $0.label == "ingestion_requests_errors_total" }
        // One failed answer for acme, twenty for the unknown paths under one label — and no
        // error series for an outcome that never failed.
        #expect(failed.count == 2, "\(failed.map(\.dimensions))")
        #expect(try total("ingestion_requests_total", [("source", "(unknown)"), ("outcome", "unknown_source")]) == 20)
        #expect(try total("ingestion_requests_errors_total", [("source", "(unknown)"), ("reason", "unknown_source")]) == 20)
        #expect(!metrics.counters.contains { $0.dimensions.contains { $0.1.hasPrefix("nobody") } })
        #expect(try metrics.expectTimer("ingestion_processing_latency_seconds", [("source", "(unknown)")]).values.count == 20)
    }
}
