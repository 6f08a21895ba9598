import Connectors
import TributaryCore

/// `JSONParser`, and a connector's decode answered with arbitrary bytes as a 200: the first byte
/// picks one endpoint of one connector (every one is reachable), the rest is the body. Each
/// returns records or a typed error, never traps.
let endpoints: [(connector: any Connector, call: EndpointCall)] = ConnectorRegistry.sourceIDs.flatMap { id -> [(any Connector, EndpointCall)] in
    guard let connector = try? ConnectorRegistry.connector(for: id.rawValue, environment: [:]) else { return [] }
    return connector.endpoints.map { endpoint in
        (connector, EndpointCall(endpoint.name, symbols: endpoint.needsSymbol ? [id == "fred" ? "GDP" : "BTC-USDT"] : []))
    }
}
let received = UTCTimestamp(nanosecondsSinceEpoch: 1_700_000_000_000_000_000)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    guard count > 0, !endpoints.isEmpty else { return 0 }
    let body = Array(UnsafeBufferPointer(start: start + 1, count: count - 1))
    if let value = try? JSONParser.parse(body) { _ = JSONWriter.encode(value, canonical: true) }
    _ = try? JSONParser.parse(body, options: .rejectDuplicateKeys)
    let (connector, call) = endpoints[Int(start[0]) % endpoints.count]
    if let records = try? connector.decode(HTTPResponse(status: 200, body: body), for: call, receivedAt: received) {
        for record in records { _ = ContentHash.of(record) }
    }
    return 0
}
