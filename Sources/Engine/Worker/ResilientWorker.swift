import Connectors
import CoreMetrics
import Logging
import Pipeline
import Resilience
import ServiceLifecycle
import Tracing
import TributaryCore

/// A ``SourceWorker`` behind its source's ``SourceGuard``: admission, retries, throttling.
///
/// Each fetch waits for the guard's admission (rate limit, or an upstream's pause, up to
/// `maxAdmissionWait`), is refused at once while the breaker is open, and after a failure is
/// retried only if the failure is transient, the retry policy has attempts left and the
/// source's retry budget allows it. A throttled attempt pauses the whole source until the
/// upstream's Retry-After, so no request to it goes out before that deadline.
public struct ResilientWorker<C: Connector, T: HTTPTransport, Clk: Clock>: Sendable
where Clk.Duration == Duration, Clk.Instant: Sendable {
    public let worker: SourceWorker<C, T>
    public let guardian: SourceGuard<Clk>
    private let clock: Clk
    /// Where bodies that do not decode are kept (with the call), so a fixed connector can replay them.
    public let deadLetters: (any DeadLetterStore)?
    /// Failed attempts and breaker changes, one line each with the request id; nil: silent.
    public let logger: Logger?

    public init(worker: SourceWorker<C, T>, guardian: SourceGuard<Clk>, clock: Clk, deadLetters: (any DeadLetterStore)? = nil, logger: Logger? = nil) {
        self.worker = worker
        self.guardian = guardian
        self.clock = clock
        self.deadLetters = deadLetters
        self.logger = logger
    }

    /// Fetches through the guard and pushes the records into the buffer.
    ///
    /// Throws the last attempt's own typed error (`ConnectorError`, `TransportError`) when it
    /// gives up, or a ``ResilienceError`` when the guard refused the call.
    @discardableResult
    public func fetch(endpoint: String, symbols: [String], cost: Double = 1) async throws -> [Envelope] {
        try await fetch(EndpointCall(endpoint, symbols: symbols), cost: cost)
    }

    /// Fetches a call (endpoint, symbols, parameters) through the guard into the buffer.
    ///
    /// One span per poll (`poll SOURCE.ENDPOINT`, no-op unless `run` bootstrapped an exporter):
    /// its attempts are child spans, each retry wait an event, the outcome and the total wait
    /// its attributes.
    @discardableResult
    public func fetch(_ call: EndpointCall, cost: Double = 1) async throws -> [Envelope] {
        try await Spans.with("poll \(guardian.source).\(call.endpoint)") { span in
            span.attributes["tributary.source"] = guardian.source
            span.attributes["tributary.endpoint"] = call.endpoint
            span.attributes["tributary.symbols"] = call.symbols.joined(separator: ",")
            return try await fetch(call, cost: cost, span: span)
        }
    }

    private func fetch(_ call: EndpointCall, cost: Double, span: any Span) async throws -> [Envelope] {
        var retryWait = Duration.zero
        func finish(attempts: Int, outcome: String) {
            span.attributes["tributary.attempts"] = attempts
            span.attributes["tributary.outcome"] = outcome
            span.attributes["tributary.retry_wait_ms"] = Int(retryWait / .milliseconds(1))
        }
        // Build once up front so a bad symbol or a missing key fails before any admission.
        _ = try worker.connector.request(for: call, at: .now())
        var policy = guardian.settings.retry
        // Signed requests carry a timestamp, so each attempt builds its request afresh.
        var generator = SystemRandomNumberGenerator()
        guardian.recordRequest()
        var attempt = 1
        while true {
            let permit: SourceGuard<Clk>.Permit
            do { permit = try await admit(cost: cost) } catch {
                finish(attempts: attempt - 1, outcome: "refused")
                throw error
            }
            let request: HTTPRequest
            do {
                request = try worker.connector.request(for: call, at: .now())
            } catch {
                guardian.complete(permit, outcome: .ignored)
                throw error
            }
            let stateBefore = logger == nil ? "" : guardian.status.state
            let result = await worker.attempt(request, call: call)
            let signals = result.response.map { ThrottleSignals.read($0.headers, now: .now()) } ?? ThrottleSignals()
            switch result.result {
            case .success(let envelopes):
                guardian.complete(permit, outcome: .success, signals: signals)
                guardian.metrics.request(outcome: .success, error: nil, duration: result.duration)
                logStateChange(from: stateBefore, requestID: result.requestID)
                Self.countByKind(envelopes, into: guardian.metrics)
                finish(attempts: attempt, outcome: "success")
                span.attributes["request_id"] = result.requestID
                span.attributes["tributary.records"] = envelopes.count
                for envelope in envelopes { try await worker.buffer.push(envelope) }
                return envelopes
            case .failure(let error):
                let outcome = CallOutcome.classify(error)
                guardian.complete(permit, outcome: outcome, signals: signals, error: "\(error)")
                guardian.metrics.request(outcome: outcome, error: error, duration: result.duration)
                if let response = result.response { await keepIfUndecodable(response, call: call, error: error) }
                logger?.warning(
                    "fetch failed",
                    metadata: [
                        "source": "\(guardian.source)", "endpoint": "\(call.endpoint)", "request_id": "\(result.requestID)",
                        "attempt": "\(attempt)", "outcome": "\(outcome.label)", "status": "\(result.response?.status ?? 0)", "error": "\(error)",
                    ])
                logStateChange(from: stateBefore, requestID: result.requestID)
                span.attributes["request_id"] = result.requestID
                if error is CancellationError {
                    finish(attempts: attempt, outcome: "cancelled")
                    throw error
                }
                let decision = policy.decide(
                    attempt: attempt, retryable: outcome.isRetryable, retryAfter: signals.retryAfter, using: &generator
                )
                // No new attempt once the service is shutting down: the poll ends with its error.
                guard case .retry(let delay) = decision, !Task.isShuttingDownGracefully, guardian.tryRetry() else {
                    finish(attempts: attempt, outcome: outcome.label)
                    throw error
                }
                span.addEvent(
                    SpanEvent(
                        name: "retry wait",
                        attributes: ["tributary.attempt": .int64(Int64(attempt)), "tributary.delay_ms": .int64(Int64(delay / .milliseconds(1)))]))
                retryWait += delay
                try await SourceGuard<Clk>.sleepUnlessShuttingDown { try await clock.sleep(for: delay) }
                attempt += 1
            }
        }
    }

    private func logStateChange(from before: String, requestID: String) {
        guard let logger else { return }
        let status = guardian.status
        guard status.state != before else { return }
        logger.notice(
            "source state changed",
            metadata: [
                "source": "\(guardian.source)", "from": "\(before)", "to": "\(status.state)", "request_id": "\(requestID)",
                "next_allowed_at": "\(status.nextAllowedAt?.rfc3339 ?? "-")",
            ])
    }

    /// A body that arrived but did not decode is evidence worth keeping: into the dead letters.
    private func keepIfUndecodable(_ response: HTTPResponse, call: EndpointCall, error: any Error) async {
        guard let deadLetters, let error = error as? ConnectorError, error.code == .decode else { return }
        let letter = DeadLetter(
            source: guardian.source, endpoint: call.endpoint, reason: "\(error)",
            payload: .response(
                call: EndpointCallText(endpoint: call.endpoint, symbols: call.symbols, parameters: call.parameters),
                status: response.status, body: response.body))
        do { try await deadLetters.deadLetter(letter) } catch {
            logger?.error(
                "undecodable body not kept: the dead-letter store refused it",
                metadata: [
                    "source": "\(guardian.source)", "endpoint": "\(call.endpoint)", "error": "\(error)",
                ])
            Counter(label: "ingestion_dropped_total", dimensions: [("reason", "dead_letter_failed")]).increment()
        }
    }

    private static func countByKind(_ envelopes: [Envelope], into metrics: ResilienceMetrics) {
        guard let first = envelopes.first?.record.kind else { return }
        if envelopes.allSatisfy({ $0.record.kind == first }) {
            metrics.records(kind: first.rawValue, count: envelopes.count)
            return
        }
        var counts: [TributaryCore.Record.Kind: Int] = [:]
        for envelope in envelopes { counts[envelope.record.kind, default: 0] += 1 }
        for (kind, count) in counts { metrics.records(kind: kind.rawValue, count: count) }
    }

    private func admit(cost: Double) async throws -> SourceGuard<Clk>.Permit {
        try await guardian.waitForAdmission(cost: cost, clock: clock)
    }
}
