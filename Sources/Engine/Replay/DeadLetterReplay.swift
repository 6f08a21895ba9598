import Connectors
import Pipeline
import TributaryCore

/// Puts dead letters back on the normal path (`tributary dlq replay`).
///
/// A record row is upserted as it was kept (so replaying twice adds nothing: the content hash
/// matches). A response row is decoded again by the source's current connector — the point of
/// keeping it is that a fixed connector can recover the data — and its records are stored with
/// provenance naming the dead letter. A row that still fails stays pending, with the new reason.
public struct DeadLetterReplay: Sendable {
    public enum Outcome: Sendable, Equatable {
        case stored(WriteResult)
        case stillFailing(String)
        case alreadyReplayed
    }

    public let store: any RecordWriter & DeadLetterStore
    private let connector: @Sendable (String) -> (any Connector)?

    /// - Parameter connector: the connector of a source id (from the source catalog).
    public init(store: any RecordWriter & DeadLetterStore, connector: @escaping @Sendable (String) -> (any Connector)?) {
        self.store = store
        self.connector = connector
    }

    public func replay(_ letter: DeadLetter, force: Bool = false) async -> Outcome {
        guard let id = letter.id else { return .stillFailing("the dead letter has no id") }
        if letter.replayedAt != nil, !force { return .alreadyReplayed }
        let result: WriteResult
        do {
            switch letter.payload {
            case .record(let row):
                result = try await store.upsert([try row.envelope()])
            case .row(let file, let line, _):
                // A row needs its file's header, schema and rules to become a record: fix it in
                // the file and import again (the import resumes, and dedups what is stored).
                return .stillFailing("an imported row (\(file):\(line)): correct it in the file and run `tributary import` again")
            case .response(let call, let status, let body):
                guard let connector = connector(letter.source) else {
                    return .stillFailing("no connector for source '\(letter.source)' (is its Sources.d file valid?)")
                }
                let endpointCall = EndpointCall(call.endpoint, symbols: call.symbols, parameters: call.parameters)
                let response = HTTPResponse(status: status == 0 ? 200 : status, body: body)
                let records = try connector.decode(response, for: endpointCall, receivedAt: letter.createdAt)
                let envelopes = records.map {
                    var envelope = Envelope.rest(
                        $0, sourceURI: "dead-letter:\(id)", observedAt: letter.createdAt, requestID: "dlq-\(id)",
                        transformations: ["replay:dead-letter#\(id)", "decode:\(letter.source).\(call.endpoint)", "normalize:v1"])
                    envelope.provenance.parentID = "dead-letter:\(id)"
                    return envelope
                }
                result = try await store.upsert(envelopes)
            }
            try await store.markReplayed(id: id, at: .now())
        } catch {
            return .stillFailing("\(error)")
        }
        return .stored(result)
    }
}
