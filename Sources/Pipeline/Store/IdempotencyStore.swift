/// Responses to pushed requests kept under their `Idempotency-Key`, so a retry gets the first answer.
public protocol IdempotencyStore: Sendable {
    /// A completed request's response, if the key is known and not expired at `now` (unix seconds).
    func idempotentResponse(source: String, key: String, now: Int64) async throws -> IdempotentResponse?

    /// Keeps a completed request's response under its key until `expiresAt` (unix seconds).
    func saveIdempotentResponse(source: String, key: String, _ response: IdempotentResponse, now: Int64, expiresAt: Int64) async throws

    /// Forgets keys whose time is up; returns how many.
    @discardableResult
    func purgeIdempotencyKeys(now: Int64) async throws -> Int
}

/// The first answer to an idempotent request, and the hash of the body it answered.
public struct IdempotentResponse: Sendable, Hashable {
    public var bodyHash: String
    public var status: Int
    public var response: [UInt8]

    public init(bodyHash: String, status: Int, response: [UInt8]) {
        self.bodyHash = bodyHash
        self.status = status
        self.response = response
    }
}

/// Signed webhooks' message ids, remembered across restarts so a replay stays refused.
public protocol WebhookIDStore: Sendable {
    /// Remembers a message id; false when it was already seen (a replay). Ids older than
    /// `forgetBefore` (unix seconds) may be dropped on the way.
    func rememberWebhookID(source: String, id: String, now: Int64, forgetBefore: Int64) async throws -> Bool
}
