import Connectors
import Engine
import Foundation
import Synchronization
import Testing
import Transport
import TributaryCore
import TributaryTesting

/// The scheduler starts each poll on the transport's caller executor, so the production
/// transport resumes the polls' requests straight from its loop thread (see `CompletionExecutor`);
/// a transport with no preference gets its polls on the cooperative pool.
@Suite struct SchedulerExecutorTests {
    /// A fake transport that says where it prefers its callers and records where each was.
    final class WhereTransport: HTTPTransport, Sendable {
        let callerExecutor: (any TaskExecutor)?
        private let onExecutor = Mutex<[Bool]>([])

        init(prefers executor: (any TaskExecutor)?) { callerExecutor = executor }

        func send(_ request: HTTPRequest) async throws -> HTTPResponse {
            onExecutor.withLock { $0.append(CompletionExecutor.shared.isCurrent) }
            return HTTPResponse(status: 200, body: Array(#"{"symbol":"BTCUSDT","price":"95337.49000000"}"#.utf8))
        }

        var calls: [Bool] { onExecutor.withLock { $0 } }
    }

    /// Runs the scheduler over one Binance price job every 100 ms until three polls were sent.
    static func polls(through transport: WhereTransport) async throws -> [Bool] {
        let sources = try SourcesDirectory([
            "binance.yaml": """
            id: binance
            base_url: http://127.0.0.1:9/binance
            poll:
              - { endpoint: price, symbols: [BTCUSDT], every: 100ms }
            """
        ])
        let buffer = NormalizationBuffer<Envelope>(capacity: 1_000)
        let engine = IngestionEngine(catalog: SourceCatalog(directories: [sources.path]), environment: [:], transport: transport, buffer: buffer)
        #expect(engine.jobs.count == 1)
        let scheduler = Task { try await SchedulerService(engine: engine, tick: .milliseconds(10)).run() }
        var waited = 0
        while transport.calls.count < 3, waited < 1_000 {
            try await Task.sleep(for: .milliseconds(10))
            waited += 1
        }
        scheduler.cancel()
        _ = try? await scheduler.value
        return transport.calls
    }

    @Test func pollsRunOnTheTransportsCallerExecutor() async throws {
        let calls = try await Self.polls(through: WhereTransport(prefers: CompletionExecutor.shared))
        #expect(calls.count >= 3)
        #expect(calls.allSatisfy { $0 })
    }

    @Test func pollsOfATransportWithNoPreferenceRunOnThePool() async throws {
        let calls = try await Self.polls(through: WhereTransport(prefers: nil))
        #expect(calls.count >= 3)
        #expect(calls.allSatisfy { !$0 })
    }
}
