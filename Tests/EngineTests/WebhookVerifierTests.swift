import Engine
import Foundation
import Pipeline
import StoreSQLite
import Testing
import TributaryCore

@Suite struct WebhookVerifierTests {
    // The Standard Webhooks specification's published test vector.
    let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    let id = "msg_p5jXN8AQM9LWM0D4loKWxJek"
    let timestamp: Int64 = 1_614_265_330
    let body = Array(#"{"test": 2432232314}"#.utf8)
    let signature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="

    func headers(_ signature: String, id: String? = nil, timestamp: Int64? = nil) -> (String) -> String? {
        let values = ["webhook-id": id ?? self.id, "webhook-timestamp": String(timestamp ?? self.timestamp), "webhook-signature": signature]
        return { values[$0] }
    }

    @Test func thePublishedVectorIsAccepted() async throws {
        let verifier = try WebhookVerifier(scheme: .standardWebhooks, secret: secret)
        try await verifier.verify(body: body, header: headers(signature), now: timestamp)
    }

    @Test func everySingleBitFlipOfTheBodyIsRejected() async throws {
        let verifier = try WebhookVerifier(scheme: .standardWebhooks, secret: secret)
        for index in body.indices {
            for bit in 0..<8 {
                var flipped = body
                flipped[index] ^= UInt8(1 << bit)
                await #expect(throws: WebhookVerifier.Rejection.self) {
                    try await verifier.verify(body: flipped, header: headers(signature, id: "msg-\(index)-\(bit)"), now: timestamp)
                }
            }
        }
    }

    @Test func rotationReplayAndClockSkew() async throws {
        let verifier = try WebhookVerifier(scheme: .standardWebhooks, secret: secret)
        // Several signatures (key rotation): one match is enough.
        try await verifier.verify(body: body, header: headers("v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= " + signature), now: timestamp)
        // The same id again within the tolerance is a replay.
        let replay = await #expect(throws: WebhookVerifier.Rejection.self) {
            try await verifier.verify(body: body, header: headers(signature), now: timestamp + 10)
        }
        #expect(replay?.reason.contains("replay") == true)
        // Too old or too far ahead.
        let fresh = try WebhookVerifier(scheme: .standardWebhooks, secret: secret)
        let old = await #expect(throws: WebhookVerifier.Rejection.self) { try await fresh.verify(body: body, header: headers(signature), now: timestamp + 301) }
        #expect(old?.reason.contains("allowed ±300 s") == true)
        await #expect(throws: WebhookVerifier.Rejection.self) { try await fresh.verify(body: body, header: headers(signature), now: timestamp - 301) }
        // A signature made for another timestamp does not verify.
        await #expect(throws: WebhookVerifier.Rejection.self) {
            try await fresh.verify(body: body, header: headers(signature, timestamp: timestamp + 1), now: timestamp)
        }
    }

    @Test func hexScheme() async throws {
        let verifier = try WebhookVerifier(scheme: .hmacSHA256, secret: "s3cret")
        let hex = HMACSignature.sha256Hex(key: "s3cret", message: #"{"a":1}"#)
        try await verifier.verify(body: Array(#"{"a":1}"#.utf8), header: { $0 == "x-signature" ? "sha256=" + hex.uppercased() : nil }, now: 0)
        let wrong = await #expect(throws: WebhookVerifier.Rejection.self) {
            try await verifier.verify(body: Array(#"{"a":2}"#.utf8), header: { $0 == "x-signature" ? "sha256=" + hex : nil }, now: 0)
        }
        #expect(wrong?.reason.contains("does not match") == true)
        await #expect(throws: WebhookVerifier.Rejection.self) { try await verifier.verify(body: [], header: { _ in nil }, now: 0) }
    }
}

@Suite struct SvixHeaderNamesTests {
    /// The Standard Webhooks vector sent the way Svix sends it: `svix-*` header names.
    @Test func svixHeaderNamesVerifyAndAWrongSignatureIsStillRejected() async throws {
        let body = Array(#"{"test": 2432232314}"#.utf8)
        let svix: [String: String] = [
            "svix-id": "msg_p5jXN8AQM9LWM0D4loKWxJek", "svix-timestamp": "1614265330",
            "svix-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
        ]
        let verifier = try WebhookVerifier(scheme: .standardWebhooks, secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        try await verifier.verify(body: body, header: { svix[$0] }, now: 1_614_265_330)
        var forged = svix
        forged["svix-signature"] = "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
        forged["svix-id"] = "msg_other"
        await #expect(throws: WebhookVerifier.Rejection.self) {
            try await verifier.verify(body: body, header: { forged[$0] }, now: 1_614_265_330)
        }
        await #expect(throws: WebhookVerifier.Rejection.self) {
            try await verifier.verify(body: body, header: { _ in nil }, now: 1_614_265_330)
        }
    }
}

@Suite struct WebhookReplayAcrossRestartsTests {
    @Test func aReplayAfterARestartIsStillRejected() async throws {
        let path = NSTemporaryDirectory() + "tributary-webhook-\(UUID().uuidString)/t.sqlite"
        let body = Array(#"{"test": 2432232314}"#.utf8)
        let headers: (String) -> String? = {
            [
                "webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek", "webhook-timestamp": "1614265330",
                "webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
            ][$0]
        }
        func verifier() throws -> WebhookVerifier {
            let store = try SQLiteStore(path: path)
            return try WebhookVerifier(scheme: .standardWebhooks, secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw") { id, now, forgetBefore in
                (try? store.rememberWebhookID(source: "acme", id: id, now: now, forgetBefore: forgetBefore)) ?? false
            }
        }
        try await verifier().verify(body: body, header: headers, now: 1_614_265_330)
        // A new process over the same store: the id is remembered.
        let again = await #expect(throws: WebhookVerifier.Rejection.self) { try await verifier().verify(body: body, header: headers, now: 1_614_265_400) }
        #expect(again?.reason.contains("replay") == true)
    }
}

@Suite struct WebhookTimestampOverflowTests {
    @Test(arguments: ["-9223372036854775808", "-9223372036854770000", "9223372036854775807", "99999999999999999999"])
    func aTimestampAtInt64sEndsIsRejectedNotATrap(_ timestamp: String) async throws {
        let verifier = try WebhookVerifier(scheme: .standardWebhooks, secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        let values = ["webhook-id": "m1", "webhook-timestamp": timestamp, "webhook-signature": "v1,AAAA"]
        await #expect(throws: WebhookVerifier.Rejection.self) {
            try await verifier.verify(body: [], header: { values[$0] }, now: 1_700_000_000)
        }
    }
}
