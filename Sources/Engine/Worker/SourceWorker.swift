import Connectors
import Tracing
import TributaryCore

/// Runs fetches of one source: request → transport → decode → provenance → buffer.
///
/// The path every pulled record takes, written once for all connectors. It measures each
/// request in the ``LatencyRecorder``, stamps each record with provenance and its content
/// hash, and pushes it into the ``NormalizationBuffer`` (waiting while the buffer is full).
/// The resilience layer (breaker, limiter, retries) wraps ``fetch(endpoint:symbols:)``.
public struct SourceWorker<C: Connector, T: HTTPTransport>: Sendable {
    public let connector: C
    public let transport: T
    public let buffer: NormalizationBuffer<Envelope>
    public let latency: LatencyRecorder

    public init(connector: C, transport: T, buffer: NormalizationBuffer<Envelope>, latency: LatencyRecorder) {
        self.connector = connector
        self.transport = transport
        self.buffer = buffer
        self.latency = latency
    }

    /// One fetch through the whole path. Returns what was pushed into the buffer.
    @discardableResult
    public func fetch(endpoint: String, symbols: [String]) async throws -> [Envelope] {
        try await fetch(EndpointCall(endpoint, symbols: symbols))
    }

    /// One fetch of a call through the whole path. Returns what was pushed into the buffer.
    @discardableResult
    public func fetch(_ call: EndpointCall) async throws -> [Envelope] {
        let request = try connector.request(for: call, at: .now())
        return try await fetch(request, call: call)
    }

    /// Sends a request built elsewhere (by a benchmark, or a replay) and pushes what it decodes.
    @discardableResult
    public func fetch(_ request: HTTPRequest, call: EndpointCall) async throws -> [Envelope] {
        let envelopes = try await attempt(request, call: call).result.get()
        for envelope in envelopes { try await buffer.push(envelope) }
        return envelopes
    }

    /// What one attempt produced: the response, if one arrived, and the records or the error.
    public struct Attempt: Sendable {
        public var response: HTTPResponse?
        public var result: Result<[Envelope], any Error>
        /// Send to decoded (or to the failure).
        public var duration: Duration = .zero
        /// The id stamped into the records' provenance and the log lines of this attempt.
        public var requestID: String = ""
    }

    /// One attempt, never throwing, so the resilience layer can read the response's headers
    /// (Retry-After, usage counts) whether the attempt succeeded or not.
    ///
    /// Each attempt is a client span (`fetch SOURCE.ENDPOINT`; a no-op unless `run` bootstrapped
    /// an exporter) with the request id the records' provenance and the log lines carry.
    public func attempt(_ request: HTTPRequest, call: EndpointCall) async -> Attempt {
        await Spans.with("fetch \(connector.id).\(call.endpoint)", ofKind: .client) { span in
            let attempt = await send(request, call: call)
            // Without an exporter the span records nothing, yet each attribute set still built and
            // hashed a dictionary and the URL was redacted again: ~2.4 µs of CPU per request, 6 %
            // of a `bench fetch --decode` process's, spent on nothing.
            guard span.isRecording else { return attempt }
            span.attributes["tributary.source"] = connector.id.rawValue
            span.attributes["tributary.endpoint"] = call.endpoint
            span.attributes["request_id"] = attempt.requestID
            span.attributes["http.request.method"] = request.method.rawValue
            span.attributes["url.full"] = SourceURIRedactor.redact(request.url)
            if let status = attempt.response?.status { span.attributes["http.response.status_code"] = status }
            switch attempt.result {
            case .success(let envelopes): span.attributes["tributary.records"] = envelopes.count
            case .failure(let error):
                span.attributes["error.type"] = CallOutcome.classify(error).label
                span.setStatus(SpanStatus(code: .error, message: "\(error)"))
            }
            return attempt
        }
    }

    private func send(_ request: HTTPRequest, call: EndpointCall) async -> Attempt {
        let endpoint = call.endpoint
        let requestID = RequestID.next()
        let started = ContinuousClock.now
        let response: HTTPResponse
        do {
            response = try await transport.send(request)
        } catch {
            let duration = ContinuousClock.now - started
            latency.record(source: connector.id, latency: duration, success: false)
            return Attempt(response: nil, result: .failure(error), duration: duration, requestID: requestID)
        }
        let receivedAt = UTCTimestamp.now()
        let records: [Record]
        do {
            records = try connector.decode(response, for: call, receivedAt: receivedAt)
        } catch {
            let duration = ContinuousClock.now - started
            latency.record(source: connector.id, latency: duration, success: false)
            return Attempt(response: response, result: .failure(error), duration: duration, requestID: requestID)
        }
        let duration = ContinuousClock.now - started
        latency.record(source: connector.id, latency: duration, success: true)
        let transformations = ["http:\(response.status)", "decode:\(connector.id).\(endpoint)", "normalize:v1"]
        let ingestedAt = UTCTimestamp.now()
        let envelopes = Envelope.rest(
            records, sourceURI: request.url, observedAt: receivedAt, requestID: requestID, transformations: transformations, ingestedAt: ingestedAt)
        return Attempt(response: response, result: .success(envelopes), duration: duration, requestID: requestID)
    }
}
