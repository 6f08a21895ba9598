import Foundation
import Synchronization
import TributaryCore

/// Checks that a pushed request was signed by its sender, per source, before anything is parsed.
///
/// Two schemes, configured in the source's Sources.d file (`push: { signature: … }`):
/// - **Standard Webhooks** (`standard-webhooks`): HMAC-SHA256 over `id.timestamp.body` with the
///   base64 secret after `whsec_`; `webhook-signature` holds one or more `v1,<base64>` (several
///   during key rotation; any match passes); `webhook-timestamp` must be within the tolerance
///   (default 5 min) of now; a `webhook-id` seen within the tolerance is a replay.
/// - **hex HMAC** (`hmac-sha256`): `X-Signature: sha256=<hex>` over the body with the raw secret.
///
/// Comparisons are constant-time. Failures say what was wrong, never what was expected.
public final class WebhookVerifier: Sendable {
    public enum Scheme: String, Sendable, CaseIterable {
        case standardWebhooks = "standard-webhooks"
        case hmacSHA256 = "hmac-sha256"
    }

    public struct Rejection: Error, Sendable, Hashable, CustomStringConvertible {
        public var reason: String
        public var description: String { reason }
    }

    public let scheme: Scheme
    public let tolerance: Duration
    private let key: [UInt8]
    /// Message ids seen, with their timestamp, kept for twice the tolerance (when no store remembers them).
    private let seen = Mutex<[String: Int64]>([:])
    /// Remembers an id (true when new); the push gateway keeps them in the store so a restart
    /// does not reopen the replay window.
    private let remember: (@Sendable (_ id: String, _ now: Int64, _ forgetBefore: Int64) async -> Bool)?

    /// - Parameter secret: `whsec_<base64>` (or bare base64) for Standard Webhooks; the raw
    ///   shared secret for hex HMAC.
    public init(
        scheme: Scheme, secret: String, tolerance: Duration = .seconds(300),
        remember: (@Sendable (_ id: String, _ now: Int64, _ forgetBefore: Int64) async -> Bool)? = nil
    ) throws {
        self.scheme = scheme
        self.tolerance = tolerance
        self.remember = remember
        switch scheme {
        case .standardWebhooks:
            let encoded = secret.hasPrefix("whsec_") ? String(secret.dropFirst(6)) : secret
            guard let decoded = Data(base64Encoded: encoded), !decoded.isEmpty else {
                throw Rejection(reason: "the Standard Webhooks secret is not whsec_ followed by base64")
            }
            key = Array(decoded)
        case .hmacSHA256:
            guard !secret.isEmpty else { throw Rejection(reason: "the signing secret is empty") }
            key = Array(secret.utf8)
        }
    }

    /// Verifies `body` with the request's headers (names lower-cased) at `now` (seconds).
    public func verify(body: [UInt8], header: (String) -> String?, now: Int64) async throws(Rejection) {
        switch scheme {
        case .standardWebhooks: try await verifyStandard(body: body, header: header, now: now)
        case .hmacSHA256: try verifyHex(body: body, header: header)
        }
    }

    /// Svix (the reference implementation of Standard Webhooks) sends the same three headers as
    /// `svix-id`, `svix-timestamp` and `svix-signature`; either spelling is read.
    static func standardHeader(_ name: String, _ header: (String) -> String?) -> String? {
        header("webhook-" + name) ?? header("svix-" + name)
    }

    private func verifyStandard(body: [UInt8], header: (String) -> String?, now: Int64) async throws(Rejection) {
        guard let id = Self.standardHeader("id", header), !id.isEmpty else { throw Rejection(reason: "missing webhook-id header") }
        guard let timestampText = Self.standardHeader("timestamp", header), let timestamp = Int64(timestampText) else {
            throw Rejection(reason: "missing or non-numeric webhook-timestamp header")
        }
        let toleranceSeconds = tolerance.components.seconds
        // The header is untrusted: a timestamp near Int64's ends must not overflow the skew.
        let (skew, overflow) = now.subtractingReportingOverflow(timestamp)
        guard !overflow, skew.magnitude <= toleranceSeconds.magnitude else {
            let distance = overflow ? "far" : "\(skew) s"
            throw Rejection(reason: "webhook-timestamp is \(distance) from now; allowed ±\(toleranceSeconds) s (check the sender's clock)")
        }
        guard let signatures = Self.standardHeader("signature", header), !signatures.isEmpty else {
            throw Rejection(reason: "missing webhook-signature header")
        }
        let expected = HMACSignature.sha256(key: key, message: Array("\(id).\(timestamp).".utf8) + body)
        var matched = false
        for candidate in signatures.split(separator: " ") {
            let parts = candidate.split(separator: ",", maxSplits: 1)
            guard parts.count == 2, parts[0] == "v1", let given = Data(base64Encoded: String(parts[1])) else { continue }
            if HMACSignature.constantTimeEquals(Array(given), expected) { matched = true }
        }
        guard matched else { throw Rejection(reason: "no v1 signature in webhook-signature matches the body (wrong secret, or the body was altered)") }
        if let remember {
            guard await remember(id, now, now &- 2 &* toleranceSeconds) else { throw Rejection(reason: "webhook-id \(id) was already received (a replay)") }
            return
        }
        let replayed = seen.withLock { seen -> Bool in
            if seen.count > 10_000 { seen = seen.filter { now &- $0.value <= 2 &* toleranceSeconds } }
            if seen[id] != nil { return true }
            seen[id] = timestamp
            return false
        }
        if replayed { throw Rejection(reason: "webhook-id \(id) was already received (a replay)") }
    }

    private func verifyHex(body: [UInt8], header: (String) -> String?) throws(Rejection) {
        guard let value = header("x-signature"), value.hasPrefix("sha256=") else {
            throw Rejection(reason: "missing X-Signature header of the form sha256=<hex>")
        }
        let hex = Array(value.dropFirst(7).lowercased().utf8)
        let expected = Array(ContentHash.hex(HMACSignature.sha256(key: key, message: body)).utf8)
        guard HMACSignature.constantTimeEquals(hex, expected) else {
            throw Rejection(reason: "X-Signature does not match the body (wrong secret, or the body was altered)")
        }
    }
}
