import Connectors
import Engine
import Foundation
import Pipeline
import StoreSQLite
import SwiftProtobuf
import Testing
import TributaryCore
import TributaryTesting

@Suite struct PushGatewayTests {
    func gateway(capacity: Int = 100, rateLimit: SourceDefinition.RateLimit? = nil) throws -> (PushGateway, NormalizationBuffer<Envelope>, SQLiteStore) {
        var definition = SourceDefinition(id: "acme", file: "acme.yaml")
        var push = SourceDefinition.Push()
        push.rateLimit = rateLimit
        push.maxBodyBytes = 4_096
        definition.push = push
        let buffer = NormalizationBuffer<Envelope>(capacity: capacity)
        let store = try SQLiteStore(path: NSTemporaryDirectory() + "tributary-push-\(UUID().uuidString)/t.sqlite")
        return (PushGateway(definitions: ["acme": definition], environment: [:], buffer: buffer, idempotency: IdempotencyKeys(store: store)), buffer, store)
    }

    func request(_ body: String, type: String = "application/json", headers: [String: String] = [:], partial: Bool = false) -> PushGateway.Request {
        PushGateway.Request(source: "acme", contentType: type, body: Array(body.utf8), header: { headers[$0] }, partial: partial)
    }

    let trade = #"{"kind":"trade","symbol":"BTC-USD","trade_id":"1","time":"2024-01-02T03:04:05Z","price":"1.5","size":"2"}"#

    @Test func protobufEventsAndBatchesBecomeTheSameRecords() async throws {
        let (gateway, buffer, _) = try gateway()
        var event = Tributary_V1_Event()
        event.kind = "trade"
        event.symbol = "BTC-USD"
        event.fields = ["trade_id": "9", "time": "1700000000123", "price": "95000.10", "size": "0.25", "side": "sell"]
        let single = try event.serializedBytes() as [UInt8]
        let one = await gateway.handle(PushGateway.Request(source: "acme", contentType: "application/x-protobuf", body: single, header: { _ in nil }))
        #expect(one.status == 202, "\(one.body)")
        var batch = Tributary_V1_EventBatch()
        batch.events = [event, event]
        batch.events[1].fields["trade_id"] = "10"
        let two = await gateway.handle(
            PushGateway.Request(
                source: "acme", contentType: "application/x-protobuf; messageType=tributary.v1.EventBatch", body: try batch.serializedBytes(),
                header: { _ in nil }))
        #expect(two.status == 202 && two.body["accepted"] == .number("2"))
        let records = try #require(await buffer.next(max: 10))
        #expect(records.count == 3)
        guard case .trade(let trade) = records[0].record.payload else { Issue.record("not a trade"); return }
        #expect(trade.price.description == "95000.10" && trade.side == .sell)
        #expect(records[0].provenance.sourceType == .webhook)
        #expect(records[0].provenance.transformations.first == "push:protobuf")
        let garbage = await gateway.handle(
            PushGateway.Request(source: "acme", contentType: "application/x-protobuf", body: [0xFF, 0xFF, 0xFF], header: { _ in nil }))
        #expect(garbage.status == 400 && garbage.outcome == "invalid_json")
    }

    @Test func statusForEachKindOfBadRequest() async throws {
        let (gateway, _, _) = try gateway()
        #expect(await gateway.handle(request(trade, type: "text/csv")).status == 415)
        #expect(await gateway.handle(request(String(repeating: " ", count: 5_000) + trade)).status == 413)
        let broken = await gateway.handle(request("{\"kind\":"))
        #expect(broken.status == 400 && broken.body["error"]?.stringValue?.contains("at byte 8") == true)
        let ndjson = await gateway.handle(request(trade + "\n{oops}\n", type: "application/x-ndjson"))
        #expect(ndjson.status == 400 && ndjson.body["error"]?.stringValue?.contains("line 2") == true)
        var unknown = request(trade)
        unknown.source = "nobody"
        #expect(await gateway.handle(unknown).status == 404)
    }

    @Test func aBatchWithABadItemIsRejectedWholeUnlessPartial() async throws {
        let (gateway, buffer, _) = try gateway()
        let body = "[" + trade + #",{"kind":"trade","symbol":"X","trade_id":"2","time":"x","price":"1","size":"1"}]"#
        let whole = await gateway.handle(request(body))
        #expect(whole.status == 422)
        #expect(whole.body["items"]?[0]?["index"] == .number("1"))
        #expect(whole.body["items"]?[0]?["problems"]?[0]?["field"] == .string("time"))
        #expect(buffer.stats.depth == 0)
        let partial = await gateway.handle(request(body, partial: true))
        #expect(partial.status == 202 && partial.body["accepted"] == .number("1"))
        #expect(partial.body["rejected"]?[0]?["index"] == .number("1"))
        #expect(buffer.stats.depth == 1)
    }

    @Test func idempotencyKeysReplayOrRefuse() async throws {
        let (gateway, buffer, _) = try gateway()
        let first = await gateway.handle(request(trade, headers: ["idempotency-key": "k"]))
        let again = await gateway.handle(request(trade, headers: ["idempotency-key": "k"]))
        #expect(first.status == 202 && again.status == 202 && again.outcome == "replayed")
        #expect(again.body == first.body)
        #expect(again.headers.contains { $0 == ("Idempotent-Replayed", "true") })
        let other = await gateway.handle(request(trade.replacingOccurrences(of: "1.5", with: "1.6"), headers: ["idempotency-key": "k"]))
        #expect(other.status == 422 && other.outcome == "idempotency_mismatch")
        #expect(buffer.stats.depth == 1)
    }

    @Test func fullBufferAndRateLimitAnswer429WithRetryAfter() async throws {
        let (gateway, _, _) = try gateway(capacity: 2)
        #expect(await gateway.handle(request("[" + trade + "," + trade + "]")).status == 202)
        let full = await gateway.handle(request(trade))
        #expect(full.status == 429 && full.outcome == "overloaded")
        #expect(full.headers.contains { $0.0 == "Retry-After" })
        #expect(await gateway.handle(request("[" + trade + "," + trade + "," + trade + "]")).status == 413)

        let (limited, _, _) = try self.gateway(rateLimit: SourceDefinition.RateLimit(capacity: 1, refillPerSecond: 0.5))
        #expect(await limited.handle(request(trade)).status == 202)
        let throttled = await limited.handle(request(trade))
        #expect(throttled.status == 429 && throttled.outcome == "rate_limited")
        #expect(throttled.headers.contains { $0 == ("Retry-After", "2") || $0 == ("Retry-After", "3") })
    }
}

/// `push.wait_for_room`: a batch that finds the buffer full is held, not refused at once.
@Suite struct PushGatewayRoomWaitTests {
    @Test func aBatchWaitsForRoomAndIsAcceptedOrRefusedWhenTheWaitEnds() async throws {
        var definition = SourceDefinition(id: "acme", file: "acme.yaml")
        definition.push = SourceDefinition.Push()
        let buffer = NormalizationBuffer<Envelope>(capacity: 2)
        let clock = ManualClock()
        let gateway = PushGateway(
            definitions: ["acme": definition], environment: [:], buffer: buffer, idempotency: nil, roomWait: .milliseconds(250), clock: clock)
        func trade(_ id: Int) -> PushGateway.Request {
            let body = #"{"kind":"trade","symbol":"BTC-USD","trade_id":"\#(id)","time":"2024-01-02T03:04:05Z","price":"1.5","size":"2"}"#
            return PushGateway.Request(source: "acme", contentType: "application/json", body: Array(body.utf8), header: { _ in nil })
        }
        #expect(await gateway.handle(trade(1)).status == 202)
        #expect(await gateway.handle(trade(2)).status == 202)
        // Full: the third waits; the sink taking one record lets it in, and it is answered 202.
        let held = Task { await gateway.handle(trade(3)) }
        await clock.waitForSleepers(1)
        #expect(buffer.stats.waitingProducers == 1)
        #expect(await buffer.next(max: 1)?.map(\.record.naturalKey) == ["1"])
        #expect(await held.value.status == 202)
        // Full again and nothing drains: after 250 ms (of the manual clock) it is a 429 that says so.
        let refused = Task { await gateway.handle(trade(4)) }
        await clock.waitForSleepers(1)
        clock.advance(by: .milliseconds(250))
        let answer = await refused.value
        #expect(answer.status == 429 && answer.outcome == "overloaded")
        #expect("\(answer.body)".contains("stayed full for 250ms"), "\(answer.body)")
        #expect(answer.headers.contains { $0.0 == "Retry-After" })
        buffer.finish()
        var stored: [String] = []
        while let batch = await buffer.next(max: 10) { stored += batch.map(\.record.naturalKey) }
        #expect(stored == ["2", "3"])
    }
}

@Suite struct IdempotencyKeysTests {
    @Test func keysSurviveARestartAndExpire() async throws {
        let path = NSTemporaryDirectory() + "tributary-idem-\(UUID().uuidString)/t.sqlite"
        do {
            let keys = IdempotencyKeys(store: try SQLiteStore(path: path), ttl: .seconds(60))
            #expect(try await keys.begin(source: "acme", key: "k", bodyHash: "h1", now: 1_000) == .proceed)
            // While the first is in flight, a twin is told to come back.
            #expect(try await keys.begin(source: "acme", key: "k", bodyHash: "h1", now: 1_000) == .inFlight)
            try await keys.complete(source: "acme", key: "k", bodyHash: "h1", status: 202, response: Array(#"{"accepted":1}"#.utf8), now: 1_000)
        }
        // A new process over the same store.
        let keys = IdempotencyKeys(store: try SQLiteStore(path: path), ttl: .seconds(60))
        #expect(try await keys.begin(source: "acme", key: "k", bodyHash: "h1", now: 1_030) == .replay(status: 202, response: Array(#"{"accepted":1}"#.utf8)))
        #expect(try await keys.begin(source: "acme", key: "k", bodyHash: "h2", now: 1_030) == .differentBody)
        // Another source's key space is its own; after the TTL the key is new again.
        #expect(try await keys.begin(source: "other", key: "k", bodyHash: "h2", now: 1_030) == .proceed)
        #expect(try await keys.begin(source: "acme", key: "k", bodyHash: "h2", now: 1_061) == .proceed)
    }
}

@Suite struct PushRulesTests {
    @Test func pushedEventsGoThroughTheSourceRulesIncludingKeyFields() async throws {
        var definition = SourceDefinition(id: "acme", file: "acme.yaml")
        definition.push = SourceDefinition.Push()
        var rules = NormalizationRules()
        rules.defaults = ["kind": "trade"]
        rules.rename = ["px": "price", "qty": "size", "ts": "time", "id": "trade_id", "ticker": "symbol"]
        rules.symbols = ["XBTUSD": "BTC-USD"]
        rules.key = ["time", "price", "size"]
        definition.rules = rules
        let buffer = NormalizationBuffer<Envelope>(capacity: 10)
        let store = try SQLiteStore(path: NSTemporaryDirectory() + "tributary-pushrules-\(UUID().uuidString)/t.sqlite")
        let gateway = PushGateway(definitions: ["acme": definition], environment: [:], buffer: buffer, idempotency: nil)
        // The sender's ids differ for what is the same print (same time, price and size).
        let body =
            #"[{"ticker":"XBTUSD","ts":1700000000123,"px":"95000.1","qty":"0.5","id":"a"},{"ticker":"XBTUSD","ts":1700000000123,"px":"95000.1","qty":"0.5","id":"b"}]"#
        let answer = await gateway.handle(PushGateway.Request(source: "acme", contentType: "application/json", body: Array(body.utf8), header: { _ in nil }))
        #expect(answer.status == 202, "\(answer.body)")
        let envelopes = try #require(await buffer.next(max: 10))
        #expect(envelopes.map(\.record.symbol) == ["BTC-USD", "BTC-USD"])
        #expect(envelopes.first?.identity == "1700000000123|95000.1|0.5")
        _ = try store.upsert(envelopes)
        #expect(try store.recordCount() == 1)
    }
}
