import Engine
import TributaryCore

/// The push path's body formats — JSON, NDJSON, Protobuf (one event or a batch) — through the
/// rules and the record model to envelopes, on arbitrary bytes: parsed and validated, or refused
/// with a problem, never a trap. The first byte picks the format and whether rules apply. The
/// chunk cutter of large bodies runs on every input with a tiny target, and each chunk is
/// parsed as the gateway parses it.
let rules: NormalizationRules = {
    var rules = NormalizationRules()
    rules.rename = ["px": "price", "qty": "size", "ts": "time", "id": "trade_id"]
    rules.defaults = ["kind": "trade"]
    rules.scale = ["px": -2]
    rules.symbols = ["XBTUSD": "BTC-USD"]
    rules.key = ["time", "price"]
    rules.timezone = "America/New_York"
    return rules
}()
let formats: [PushFormat] = [.json, .ndjson, .protobuf(batch: false), .protobuf(batch: true)]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPush(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    guard count > 0 else { return 0 }
    let choice = Int(start[0])
    let body = Array(UnsafeBufferPointer(start: start + 1, count: count - 1))
    let format = formats[choice % formats.count]
    for chunk in PushChunker.lines(body, target: 8) { _ = PushFormat.lines(body[chunk.range], firstLine: chunk.line) }
    for chunk in PushChunker.arrayElements(body, target: 8) ?? [] { _ = PushFormat.arrayElements(body, chunk.range) }
    guard case .success(let items) = format.parse(body) else { return 0 }
    let (envelopes, _) = PushGateway.envelopes(
        of: items, source: "fuzz", rules: choice & 4 == 0 ? nil : rules, format: format, requestID: "r", receivedAt: .now())
    for envelope in envelopes { _ = envelope.jsonLine }
    return 0
}
