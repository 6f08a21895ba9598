import Foundation
import TributaryCore

/// A connector made from a Sources.d file with `connector: declarative`: requests and field
/// mappings are data, so a simple REST source needs no Swift code. Decimal fields are read
/// exactly (from JSON strings or numbers); times follow the endpoint's `time_format`.
public struct DeclarativeConnector: Connector {
    public let id: SourceID
    public var baseURL: String
    public let definition: SourceDefinition
    public var apiKey: String?
    public var connectTimeout: Duration
    public var totalTimeout: Duration
    /// Described once: a request looks its endpoint up by name, so checking or polling many
    /// endpoints stays linear in their number.
    public let endpoints: [EndpointDescription]
    /// The venue's spelling → canonical symbol (the inverse of the file's `symbols:`).
    private let canonical: [String: String]

    public init(definition: SourceDefinition, baseURL: String, apiKey: String?) {
        id = definition.id
        self.definition = definition
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.apiKey = apiKey
        canonical = Dictionary(definition.symbolMap.map { ($0.value, $0.key) }, uniquingKeysWith: { first, _ in first })
        connectTimeout = definition.connectTimeout ?? .seconds(2)
        totalTimeout = definition.totalTimeout ?? .seconds(10)
        endpoints = definition.declarativeEndpoints.sorted { $0.key < $1.key }.map { name, endpoint in
            EndpointDescription(
                name: name, kind: endpoint.kind, needsSymbol: endpoint.path.contains("{symbol}") || endpoint.query.values.contains("{symbol}"),
                summary: "GET \(endpoint.path) (declarative)", credentials: definition.auth?.keyEnv.map { [$0] } ?? [])
        }
    }

    public func request(for call: EndpointCall, at now: UTCTimestamp) throws(ConnectorError) -> HTTPRequest {
        guard let endpoint = definition.declarativeEndpoints[call.endpoint] else {
            _ = try describe(call.endpoint)  // the error lists the known endpoints
            throw ConnectorError(.unknownEndpoint, source: id, call.endpoint)
        }
        try ConnectorSupport.checkParameters(call, allowed: [:], source: id)
        let needsSymbol = endpoint.path.contains("{symbol}") || endpoint.query.values.contains("{symbol}")
        guard !needsSymbol || call.symbols.count == 1 else {
            throw ConnectorError(.invalidArgument, source: id, "\(call.endpoint) takes exactly one --symbol, got \(call.symbols.count)")
        }
        let given = call.symbols.first ?? ""
        let symbol =
            (definition.symbolMap[given] ?? given).addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/?&=")))
            ?? ""
        var items = endpoint.query.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.replacingOccurrences(of: "{symbol}", with: symbol))" }
        var headers: HTTPHeaders = ["Accept": "application/json"]
        if let auth = definition.auth, auth.kind != "none" {
            guard let apiKey else {
                throw ConnectorError(.missingCredential, source: id, "set \(auth.keyEnv ?? "the key variable named in \(definition.file)")")
            }
            switch auth.kind {
            case "query": items.append("\(auth.name ?? "apikey")=\(apiKey)")
            case "bearer": headers.add(name: "Authorization", value: "Bearer \(apiKey)")
            default: headers.add(name: auth.name ?? "X-Api-Key", value: apiKey)
            }
        }
        let path = endpoint.path.replacingOccurrences(of: "{symbol}", with: symbol)
        return HTTPRequest(
            url: baseURL + path + (items.isEmpty ? "" : "?" + items.joined(separator: "&")), headers: headers,
            connectTimeout: connectTimeout, totalTimeout: totalTimeout)
    }

    public func decode(_ response: HTTPResponse, for call: EndpointCall, receivedAt: UTCTimestamp) throws(ConnectorError) -> [Record] {
        guard let endpoint = definition.declarativeEndpoints[call.endpoint] else { throw ConnectorError(.unknownEndpoint, source: id, call.endpoint) }
        let json = try ConnectorSupport.json(response, source: id, endpoint: call.endpoint, errorMessageKey: "message")
        guard let found = JSONPath.resolve(endpoint.records, in: json) else {
            throw ConnectorError(.decode, source: id, "\(call.endpoint): nothing at records path '\(endpoint.records)'")
        }
        let items = found.arrayValue ?? [found]
        return try items.enumerated().map { (index, item) throws(ConnectorError) in
            try record(item, index: index, endpoint: endpoint, call: call, receivedAt: receivedAt)
        }
    }

    private func record(_ item: JSONValue, index: Int, endpoint: DeclarativeEndpoint, call: EndpointCall, receivedAt: UTCTimestamp) throws(ConnectorError)
        -> Record
    {
        let context = "\(call.endpoint)[\(index)]"
        func decimal(_ field: String) throws(ConnectorError) -> ExactDecimal? {
            guard let path = endpoint.fields[field] else { return nil }
            guard let value = JSONPath.resolve(path, in: item), !value.isNull else { return nil }
            guard let decimal = value.decimalValue else {
                throw ConnectorError(.decode, source: id, "\(context): field '\(path)' (\(field)) is \(value.typeName), expected a decimal")
            }
            return decimal
        }
        func required(_ field: String) throws(ConnectorError) -> ExactDecimal {
            guard let value = try decimal(field) else {
                throw ConnectorError(.decode, source: id, "\(context): field '\(endpoint.fields[field] ?? field)' (\(field)) is missing")
            }
            return value
        }
        let time = try timestamp(item, endpoint: endpoint, context: context) ?? receivedAt
        let requested = call.symbols.first.map { definition.symbolMap[$0] ?? $0 }
        let venue = endpoint.symbolField.flatMap { JSONPath.resolve($0, in: item)?.stringValue } ?? requested ?? ""
        let symbol =
            canonical[venue] ?? Instrument.split(venue).map { "\($0.base)-\($0.quote)" } ?? Instrument.pair(fromConcatenated: venue) ?? venue.uppercased()
        let payload: Record.Payload
        switch endpoint.kind {
        case .bar:
            payload = .bar(
                Bar(
                    interval: endpoint.interval ?? "1d", start: time, open: try required("open"), high: try required("high"), low: try required("low"),
                    close: try required("close"), volume: try decimal("volume"),
                    trades: endpoint.fields["trades"].flatMap { JSONPath.resolve($0, in: item)?.int64Value },
                    vwap: try decimal("vwap")))
        case .trade:
            let tradeID =
                endpoint.fields["trade_id"].flatMap { path -> String? in
                    guard let value = JSONPath.resolve(path, in: item) else { return nil }
                    if case .number(let text) = value { return text }
                    return value.stringValue
                } ?? "\(time.nanosecondsSinceEpoch)"
            let side = endpoint.fields["side"].flatMap { JSONPath.resolve($0, in: item)?.stringValue?.lowercased() }.flatMap(Trade.Side.init(rawValue:))
            payload = .trade(Trade(tradeID: tradeID, time: time, price: try required("price"), size: try required("size"), side: side))
        default:
            payload = .quote(
                Quote(
                    asOf: time, last: try required("last"), bid: try decimal("bid"), ask: try decimal("ask"), bidSize: try decimal("bid_size"),
                    askSize: try decimal("ask_size"), open: try decimal("open"), high: try decimal("high"), low: try decimal("low"),
                    volume: try decimal("volume"),
                    quoteVolume: try decimal("quote_volume"), change: try decimal("change"), changePercent: try decimal("change_percent")))
        }
        return Record(source: id, endpoint: call.endpoint, symbol: symbol, venueSymbol: venue, payload: payload)
    }

    private func timestamp(_ item: JSONValue, endpoint: DeclarativeEndpoint, context: String) throws(ConnectorError) -> UTCTimestamp? {
        guard let path = endpoint.timeField else { return nil }
        guard let value = JSONPath.resolve(path, in: item), !value.isNull else {
            throw ConnectorError(.decode, source: id, "\(context): time field '\(path)' is missing")
        }
        let text: String =
            switch value {
            case .number(let t), .string(let t): t
            default: ""
            }
        let parsed: UTCTimestamp? =
            switch endpoint.timeFormat {
            case "epoch_s": Int64(text).flatMap { UTCTimestamp(epoch: $0, unit: .seconds) }
            case "epoch_ms": Int64(text).flatMap { UTCTimestamp(epoch: $0, unit: .milliseconds) }
            case "epoch_us": Int64(text).flatMap { UTCTimestamp(epoch: $0, unit: .microseconds) }
            case "epoch_ns": Int64(text).flatMap { UTCTimestamp(epoch: $0, unit: .nanoseconds) }
            case let format where format.hasPrefix("local:"): ExchangeTime.utc(fromLocal: text, zone: String(format.dropFirst(6)))
            default: UTCTimestamp(rfc3339: text)
            }
        guard let parsed else {
            throw ConnectorError(
                .decode, source: id,
                "\(context): time field '\(path)' is '\(text.prefix(30))', not \(endpoint.timeFormat) within \(UTCTimestamp.supportedRangeText)")
        }
        return parsed
    }
}
