import Connectors
import CoreMetrics
import Foundation
import Pipeline
import Resilience
import Synchronization
import TributaryCore

/// The push path without HTTP: one pushed request in, one answer out.
///
/// In order: the source must accept pushes; the body must fit and have a JSON type; the
/// signature must verify; the source's rate limit must admit the request; an Idempotency-Key
/// may answer from the first request's response; the JSON must parse (400 with the byte offset)
/// and every event must be a valid record (422 naming each item's field and rule — nothing is
/// applied unless `partial`); then the whole batch enters the buffer at once or the request is
/// answered 429 with a Retry-After from the drain rate. `202` once buffered, or with `durable`,
/// `200` once every record is committed (the sink's batches are the group commit).
public final class PushGateway: Sendable {
    /// A pushed request, as the HTTP layer hands it over.
    public struct Request: Sendable {
        public var source: String
        public var contentType: String?
        public var body: [UInt8]
        /// Header lookup by lower-case name.
        public var header: @Sendable (String) -> String?
        public var durable = false
        public var partial = false

        public init(
            source: String, contentType: String?, body: [UInt8], header: @escaping @Sendable (String) -> String?, durable: Bool = false, partial: Bool = false
        ) {
            self.source = source
            self.contentType = contentType
            self.body = body
            self.header = header
            self.durable = durable
            self.partial = partial
        }
    }

    /// The answer: status, extra headers, a JSON body, and the outcome label for metrics.
    public struct Response: Sendable {
        public var status: Int
        public var headers: [(String, String)] = []
        public var body: JSONValue
        public var outcome: String
        /// For the request's tracing span: the request id, time spent parsing + validating, and
        /// time spent entering the buffer.
        public var requestID: String?
        public var decodeTime: Duration = .zero
        public var enqueueTime: Duration = .zero
    }

    final class Lane: Sendable {
        let source: SourceID
        let verifier: WebhookVerifier?
        let rules: NormalizationRules?
        /// The push rate limit; nil inside when the source sets none.
        let bucket: Mutex<TokenBucket<ContinuousClock.Instant>?>
        let maxBodyBytes: Int
        let metrics: PushMetrics

        init(
            source: SourceID, verifier: WebhookVerifier?, rules: NormalizationRules?, rateLimit: SourceDefinition.RateLimit?, maxBodyBytes: Int,
            factory: any MetricsFactory
        ) {
            self.source = source
            self.rules = rules
            self.verifier = verifier
            self.bucket = Mutex(rateLimit.map { TokenBucket(capacity: $0.capacity, refillPerSecond: $0.refillPerSecond) })
            self.maxBodyBytes = maxBodyBytes
            self.metrics = PushMetrics(source: source.rawValue, factory: factory)
        }
    }

    private let lanes: [String: Lane]
    private let buffer: NormalizationBuffer<Envelope>
    private let idempotency: IdempotencyKeys?
    public let acks: DurableAcks
    private let drain: DrainRate
    private let acceptedEvents = Atomic<Int>(0)
    private let factory: any MetricsFactory
    /// The metric handles of configured sources that cannot take pushes (a secret is missing).
    private let unavailableMetrics: [String: PushMetrics]
    /// Those of every push to a source that is not configured.
    private let unknownSource: PushMetrics
    /// Where the chunks of a large body that did not parse are kept (`partial` requests).
    private let deadLetters: (any DeadLetterStore)?
    /// Sources that exist but cannot take pushes, with why (a missing secret), for the 404/503 message.
    public let problems: [String: String]
    /// How long a batch that finds the buffer full waits for room before the 429 (`push.wait_for_room`).
    private let roomWait: Duration
    /// The buffer's waiting push on the gateway's clock (a manual one in tests).
    private let pushWaiting: @Sendable ([Envelope], Duration) async -> NormalizationBuffer<Envelope>.TryPushResult

    /// - Parameters:
    ///   - definitions: every source's Sources.d definition; those with `push:` accept pushes.
    ///   - environment: where signing secrets are read (never logged).
    public init(
        definitions: [SourceID: SourceDefinition], environment: [String: String], buffer: NormalizationBuffer<Envelope>,
        idempotency: IdempotencyKeys?, acks: DurableAcks = DurableAcks(), deadLetters: (any DeadLetterStore)? = nil,
        roomWait: Duration = .zero, clock: some Clock<Duration> = ContinuousClock(), factory: any MetricsFactory = MetricsSystem.factory
    ) {
        self.roomWait = roomWait
        pushWaiting = { [buffer] envelopes, limit in await buffer.pushAll(envelopes, waitingAtMost: limit, clock: clock) }
        var lanes: [String: Lane] = [:]
        var problems: [String: String] = [:]
        for (id, definition) in definitions {
            guard let push = definition.push else { continue }
            var verifier: WebhookVerifier?
            if let scheme = push.signatureScheme.flatMap(WebhookVerifier.Scheme.init(rawValue:)) {
                guard let name = push.secretEnv, let secret = environment[name], !secret.isEmpty else {
                    problems[id.rawValue] = "its signing secret \(push.secretEnv ?? "?") is not set in the environment"
                    continue
                }
                var remember: (@Sendable (String, Int64, Int64) async -> Bool)?
                if let store = idempotency?.store {
                    let source = id.rawValue
                    remember = { messageID, now, forgetBefore in
                        do {
                            return try await store.rememberWebhookID(source: source, id: messageID, now: now, forgetBefore: forgetBefore)
                        } catch {
                            // If the store cannot answer, refuse rather than risk accepting a replay — counted.
                            Counter(label: "ingestion_store_write_failures_total", dimensions: [("what", "webhook_id")], factory: factory).increment()
                            return false
                        }
                    }
                }
                do { verifier = try WebhookVerifier(scheme: scheme, secret: secret, tolerance: push.tolerance, remember: remember) } catch {
                    problems[id.rawValue] = "\(push.secretEnv ?? "the secret"): \(error)"
                    continue
                }
            }
            lanes[id.rawValue] = Lane(
                source: id, verifier: verifier, rules: definition.rules, rateLimit: push.rateLimit, maxBodyBytes: push.maxBodyBytes, factory: factory)
        }
        self.lanes = lanes
        self.problems = problems
        self.unavailableMetrics = problems.keys.reduce(into: [:]) { $0[$1] = PushMetrics(source: $1, factory: factory) }
        self.unknownSource = PushMetrics(source: PushMetrics.unknownSource, factory: factory)
        self.buffer = buffer
        self.idempotency = idempotency
        self.acks = acks
        self.drain = DrainRate(buffer: buffer)
        self.factory = factory
        self.deadLetters = deadLetters
    }

    /// Events accepted into the buffer since start.
    public var accepted: Int { acceptedEvents.load(ordering: .relaxed) }

    /// The sources that accept pushes.
    public var sources: [String] { lanes.keys.sorted() }

    /// The largest body a source accepts (the HTTP layer stops reading past it).
    public func maxBodyBytes(for source: String) -> Int { lanes[source]?.maxBodyBytes ?? 1_048_576 }

    public func handle(_ request: Request) async -> Response {
        let started = ContinuousClock.now
        let response = await process(request)
        // A source that is not configured is labelled as such, never by the name in the path:
        // each new label value is a new series the registry keeps, and anyone can POST to
        // `/ingest/<anything>`.
        let metrics = lanes[request.source]?.metrics ?? unavailableMetrics[request.source] ?? unknownSource
        metrics.answered(response.outcome, failed: response.status >= 400)
        metrics.latency.recordNanoseconds((ContinuousClock.now - started).nanosecondsCount)
        return response
    }

    private func process(_ request: Request) async -> Response {
        guard let lane = lanes[request.source] else {
            if let problem = problems[request.source] {
                return Self.problem(503, "unavailable", "source '\(request.source)' cannot take pushes: \(problem)", fix: "set the variable and restart")
            }
            return Self.problem(
                404, "unknown_source", "source '\(request.source)' does not accept pushes",
                fix: sources.isEmpty ? "add a `push:` section to a Sources.d file" : "push to one of: \(sources.joined(separator: ", "))")
        }
        guard request.body.count <= lane.maxBodyBytes else {
            return Self.problem(
                413, "too_large", "the body is \(request.body.count) bytes; this source accepts at most \(lane.maxBodyBytes)",
                fix: "split it into several requests")
        }
        let format: PushFormat
        switch PushFormat(contentType: request.contentType) {
        case .some(let known): format = known
        case .none:
            return Self.problem(
                415, "unsupported_type", "content type '\(request.contentType ?? "none")' is not accepted",
                fix:
                    "send UTF-8 application/json (one event or an array), application/x-ndjson (one event per line) or application/x-protobuf (tributary.v1.Event, or EventBatch with messageType=tributary.v1.EventBatch)"
            )
        }
        if let verifier = lane.verifier {
            do { try await verifier.verify(body: request.body, header: request.header, now: UTCTimestamp.now().nanosecondsSinceEpoch / 1_000_000_000) } catch {
                return Self.problem(401, "unauthorized", "signature rejected: \(error.reason)")
            }
        }
        do {
            let now = ContinuousClock.now
            let decision = lane.bucket.withLock { $0?.acquire(now: now) }
            if case .wait(let retryAt)? = decision {
                let seconds = max(1, Int(now.duration(to: retryAt).components.seconds) + 1)
                var response = Self.problem(429, "rate_limited", "this source's push rate limit is reached", fix: "retry after \(seconds) s")
                response.headers.append(("Retry-After", String(seconds)))
                return response
            }
        }
        let key = request.header("idempotency-key")
        let bodyHash = key == nil ? "" : ContentHash.of(bytes: request.body)
        if let key, let idempotency {
            let decision: IdempotencyKeys.Decision
            do { decision = try await idempotency.begin(source: request.source, key: key, bodyHash: bodyHash, now: Self.nowSeconds()) } catch {
                return Self.problem(503, "unavailable", "the idempotency store cannot be read: \(error)")
            }
            switch decision {
            case .proceed: break
            case .replay(let status, let body):
                var response = Response(status: status, body: (try? JSONParser.parse(body)) ?? .null, outcome: "replayed")
                response.headers.append(("Idempotent-Replayed", "true"))
                return response
            case .differentBody:
                return Self.problem(
                    422, "idempotency_mismatch", "Idempotency-Key '\(key)' was already used with a different body",
                    fix: "use a new key for a different request")
            case .inFlight:
                return Self.problem(409, "conflict", "a request with Idempotency-Key '\(key)' is still being processed", fix: "retry when it has finished")
            }
        }
        let response = await admit(request, lane: lane, format: format)
        if let key, let idempotency {
            if [409, 429, 503].contains(response.status) || response.status >= 500 {
                idempotency.release(source: request.source, key: key)
            } else {
                do {
                    try await idempotency.complete(
                        source: request.source, key: key, bodyHash: bodyHash, status: response.status,
                        response: JSONWriter.encode(response.body), now: Self.nowSeconds())
                } catch {
                    // The key is free again: a retry runs once more (the upsert by natural key keeps
                    // it harmless) instead of getting this response back. Counted.
                    Counter(label: "ingestion_store_write_failures_total", dimensions: [("what", "idempotency_key")], factory: factory).increment()
                }
            }
        }
        return response
    }

    /// Parse, validate, buffer, and (durable) wait for the commit.
    private func admit(_ request: Request, lane: Lane, format: PushFormat) async -> Response {
        let decodeStarted = ContinuousClock.now
        let requestID = RequestID.next()
        let decoded: Decoded
        switch Self.decode(
            request.body, format: format, source: lane.source, rules: lane.rules, partial: request.partial, requestID: requestID, receivedAt: .now())
        {
        case .success(let value): decoded = value
        case .failure(let error): return Self.problem(400, "invalid_json", error.description, fix: "send a well-formed body of the declared type")
        }
        guard decoded.events > 0 || !decoded.badChunks.isEmpty else {
            return Self.problem(400, "invalid_json", "the body holds no event", fix: "send at least one event")
        }
        let (envelopes, rejected) = (decoded.envelopes, decoded.rejected)
        if !rejected.isEmpty && !request.partial {
            return Response(
                status: 422,
                body: .object(
                    JSONObject([
                        ("error", .string("\(rejected.count) of \(decoded.events) events are not valid records; nothing was accepted")),
                        ("fix", .string("correct them, or add ?partial=true to accept the valid ones")),
                        ("items", .array(rejected)),
                    ])), outcome: "invalid_record")
        }
        guard envelopes.count <= buffer.capacity else {
            return Self.problem(
                413, "too_large", "\(envelopes.count) events are more than the buffer holds (\(buffer.capacity))",
                fix: "send batches of at most \(buffer.capacity / 2) events")
        }
        let decodeTime = ContinuousClock.now - decodeStarted
        if request.durable { acks.expect(requestID: requestID, count: envelopes.count) }
        let enqueueStarted = ContinuousClock.now
        // With no wait (`roomWait` 0) the buffer answers at once, as `tryPushAll` would.
        let pushed = await pushWaiting(envelopes, roomWait)
        let enqueueTime = ContinuousClock.now - enqueueStarted
        switch pushed {
        case .accepted:
            break
        case .full:
            if request.durable { acks.cancel(requestID: requestID) }
            Counter(label: "ingestion_dropped_total", dimensions: [("reason", "refused_overload")], factory: factory).increment(by: envelopes.count)
            let seconds = drain.retryAfterSeconds()
            var response = Self.problem(
                429, "overloaded",
                roomWait > .zero
                    ? "the buffer stayed full for \(DurationText.format(roomWait)) (\(buffer.stats.depth) records waiting for the store)"
                    : "the buffer is full (\(buffer.stats.depth) records waiting for the store)",
                fix: "retry after \(seconds) s")
            response.headers.append(("Retry-After", String(seconds)))
            return response
        case .closed:
            if request.durable { acks.cancel(requestID: requestID) }
            var response = Self.problem(503, "unavailable", "shutting down; the events were not accepted", fix: "retry against another instance")
            response.headers.append(("Retry-After", "5"))
            return response
        }
        acceptedEvents.add(envelopes.count, ordering: .relaxed)
        for bad in decoded.badChunks { await keep(Self.deadLetter(bad, body: request.body, source: lane.source, requestID: requestID)) }
        var counts: [Record.Kind: Int] = [:]
        for index in envelopes.indices { counts[envelopes[index].record.kind, default: 0] += 1 }
        for (kind, count) in counts { lane.metrics.buffered(count, of: kind) }
        var members: [(key: String, value: JSONValue)] = [("request_id", .string(requestID)), ("accepted", .number(String(envelopes.count)))]
        if !rejected.isEmpty { members.append(("rejected", .array(rejected))) }
        if !decoded.badChunks.isEmpty { members.append(("rejected_chunks", .array(decoded.badChunks.map(\.json)))) }
        if request.durable {
            guard await acks.wait(requestID: requestID) == .committed else {
                return Self.problem(503, "unavailable", "the events were accepted but could not be committed to the store", fix: "see /ready and the logs")
            }
            members.append(("durable", .bool(true)))
            return Response(
                status: 200, body: .object(JSONObject(members)), outcome: "stored", requestID: requestID, decodeTime: decodeTime, enqueueTime: enqueueTime)
        }
        return Response(
            status: 202, body: .object(JSONObject(members)), outcome: "accepted", requestID: requestID, decodeTime: decodeTime, enqueueTime: enqueueTime)
    }

    /// A body's parsed events as envelopes, and each invalid one's problems (by its index):
    /// the rules, then the record model, then provenance. Pure — the fuzz harness drives it too.
    package static func envelopes(
        of items: [JSONValue], source: SourceID, rules: NormalizationRules?, format: PushFormat, requestID: String, receivedAt: UTCTimestamp,
        firstIndex: Int = 0
    ) -> (envelopes: [Envelope], rejected: [JSONValue]) {
        let builder = RecordBuilder(source: source, defaultEndpoint: "push")
        var envelopes: [Envelope] = []
        var rejected: [JSONValue] = []
        envelopes.reserveCapacity(items.count)
        let transformations = [format.transformation, "validate:v1"]
        let stamp = Provenance(
            sourceID: source, sourceType: .webhook, sourceURI: "/ingest/\(source)", contentHash: "", ingestedAt: receivedAt, observedAt: receivedAt,
            transformations: transformations, requestID: requestID)
        var hasher = ContentHasher()
        var fields = RecordFieldSlots()
        for (index, item) in items.enumerated() {
            switch EventRecord.build(item, rules: rules, builder: builder, fields: &fields) {
            case .success(let built):
                envelopes.append(
                    Envelope(
                        record: built.record,
                        provenance: stamp.stamping(contentDigest: hasher.digest(built.record), transformations: transformations),
                        identity: built.identity))
            case .failure(let invalid):
                rejected.append(Self.itemProblems(firstIndex + index, invalid.problems))
            }
        }
        return (envelopes, rejected)
    }

    /// Keeps a set-aside chunk; a store that refuses it is counted, never the request's failure
    /// (its valid events are already accepted).
    private func keep(_ letter: DeadLetter) async {
        do {
            guard let deadLetters else { throw DeadLetterRefused() }
            try await deadLetters.deadLetter(letter)
        } catch {
            Counter(label: "ingestion_dropped_total", dimensions: [("reason", "dead_letter_failed")], factory: factory).increment()
        }
    }

    private struct DeadLetterRefused: Error {}

    static func itemProblems(_ index: Int, _ problems: [FieldProblem]) -> JSONValue {
        .object(
            JSONObject([
                ("index", .number(String(index))),
                ("problems", .array(problems.map { .object(JSONObject([("field", .string($0.field)), ("rule", .string($0.rule))])) })),
            ]))
    }

    static func problem(_ status: Int, _ outcome: String, _ message: String, fix: String? = nil) -> Response {
        var members: [(key: String, value: JSONValue)] = [("error", .string(message))]
        if let fix { members.append(("fix", .string(fix))) }
        return Response(status: status, body: .object(JSONObject(members)), outcome: outcome)
    }

    static func nowSeconds() -> Int64 { UTCTimestamp.now().nanosecondsSinceEpoch / 1_000_000_000 }
}
